import { DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { HealthRegistry } from '../health/health.registry.js';
import { AppLogger } from '../logging/app-logger.js';
import { InProcessRealtimeBus } from './in-process-realtime-bus.js';
import { PostgresRealtimeBus } from './postgres-realtime-bus.js';
import { RealtimeBus, RealtimePublisher } from './realtime-publisher.js';

/**
 * RealtimePublisher for every service, RealtimeBus for the gateway: NOTIFY/LISTEN on PostgreSQL (every instance
 * on the database hears every notice), in-process on the embedded database.
 */
@Global()
@Module({})
export class RealtimeBusModule {
  static forRoot(): DynamicModule {
    return {
      module: RealtimeBusModule,
      providers: [
        {
          provide: RealtimeBus,
          inject: [AppConfig, DataSource, AppLogger, HealthRegistry],
          useFactory: (
            config: AppConfig,
            dataSource: DataSource,
            logger: AppLogger,
            health: HealthRegistry,
          ): RealtimeBus => {
            const database = config.values.database;
            if (database.kind !== 'postgres') {
              health.register('realtime', () => ({ status: 'healthy', transport: 'in-process' }));
              return new InProcessRealtimeBus(logger);
            }
            const bus = new PostgresRealtimeBus(database.url, dataSource, logger);
            health.register('realtime', () => ({
              // degraded, not unhealthy: requests are served; only pushes to this instance's sockets stop
              status: bus.listening ? 'healthy' : 'degraded',
              transport: 'postgres-notify',
            }));
            return bus;
          },
        },
        { provide: RealtimePublisher, useExisting: RealtimeBus },
      ],
      exports: [RealtimeBus, RealtimePublisher],
    };
  }
}
