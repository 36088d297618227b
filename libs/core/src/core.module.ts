import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from './config/app-config.js';
import { AppLogger } from './logging/app-logger.js';
import { HealthRegistry } from './health/health.registry.js';
import { HookRegistry } from './hooks/hooks.js';
import { TokenService } from './access/token.service.js';
import { ShutdownCoordinator } from './lifecycle/shutdown.coordinator.js';
import { MetricNames } from './metrics/metric-names.js';
import { MetricsService } from './metrics/metrics.service.js';

/** Config, logging, health, metrics, shutdown, hook and token primitives, available everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, logger: AppLogger): DynamicModule {
    return {
      module: CoreModule,
      imports: [DiscoveryModule],
      providers: [
        HookRegistry,
        { provide: AppConfig, useValue: config },
        { provide: AppLogger, useValue: logger },
        HealthRegistry,
        TokenService,
        ShutdownCoordinator,
        {
          provide: MetricsService,
          inject: [ShutdownCoordinator],
          useFactory: (shutdown: ShutdownCoordinator) => {
            const metrics = new MetricsService();
            metrics.gauge(MetricNames.httpRequestsInFlight, 'HTTP requests being handled', [], (g) =>
              g.set(shutdown.requestsInFlight),
            );
            metrics.gauge(MetricNames.draining, '1 while this instance drains for shutdown', [], (g) =>
              g.set(shutdown.isDraining ? 1 : 0),
            );
            return metrics;
          },
        },
      ],
      exports: [
        AppConfig,
        AppLogger,
        HealthRegistry,
        HookRegistry,
        TokenService,
        ShutdownCoordinator,
        MetricsService,
      ],
    };
  }
}
