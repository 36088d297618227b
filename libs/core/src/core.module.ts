import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { AppLogger } from './logging/app-logger.js';
import { HealthRegistry } from './health/health.registry.js';
import { TokenService } from './access/token.service.js';

/** Config, logging, health and token primitives, available everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, logger: AppLogger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: AppLogger, useValue: logger },
        HealthRegistry,
        TokenService,
      ],
      exports: [AppConfig, AppLogger, HealthRegistry, TokenService],
    };
  }
}
