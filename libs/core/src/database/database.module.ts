import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AppLogger } from '../logging/app-logger.js';
import { HealthRegistry } from '../health/health.registry.js';
import { buildDataSourceOptions, MigrationList, runMigrations } from './data-source.options.js';
import { readTimestamptzFast } from './timestamp-parser.js';
import { Transactions } from './transaction.js';

/** TypeORM on PostgreSQL or embedded PGlite; migrations only (never synchronize). Global: every lib has Transactions. */
@Module({})
export class DatabaseModule {
  static forRoot(options: { migrations: MigrationList }): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig, AppLogger, HealthRegistry],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config, { migrations: options.migrations }),
            autoLoadEntities: true,
            retryAttempts: 0,
          }),
          dataSourceFactory: async (dataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('Missing data source options');
            readTimestamptzFast();
            return new DataSource(dataSourceOptions);
          },
        }),
      ],
      providers: [
        Transactions,
        {
          provide: 'DATABASE_BOOTSTRAP',
          inject: [DataSource, AppConfig, AppLogger, HealthRegistry],
          useFactory: async (
            dataSource: DataSource,
            config: AppConfig,
            logger: AppLogger,
            health: HealthRegistry,
          ) => {
            if (config.values.migrateOnBoot) {
              const applied = await runMigrations(dataSource, config);
              logger.info('migrations_applied', { count: applied.length, names: applied });
            }
            health.register('database', async () => {
              const started = Date.now();
              await dataSource.query('SELECT 1');
              return {
                status: 'healthy',
                engine: config.values.database.kind === 'postgres' ? 'postgresql' : 'pglite (embedded)',
                latency_ms: Date.now() - started,
              };
            });
            return true;
          },
        },
      ],
      exports: [Transactions],
    };
  }
}
