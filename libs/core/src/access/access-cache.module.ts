import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PostgresRealtimeBus } from '../realtime/postgres-realtime-bus.js';
import { RealtimeBus } from '../realtime/realtime-publisher.js';
import { AccessCache } from './access-cache.js';

/**
 * The access cache, fed by the realtime bus's LISTEN connection on PostgreSQL. On the embedded database (one
 * process, no LISTEN connection) it keeps nothing: the access query is in-process there.
 */
@Global()
@Module({
  providers: [
    {
      provide: AccessCache,
      inject: [AppConfig, RealtimeBus],
      useFactory: (config: AppConfig, bus: RealtimeBus): AccessCache =>
        new AccessCache(
          bus instanceof PostgresRealtimeBus ? bus : null,
          config.values.jwt.accessCacheSeconds * 1000,
        ),
    },
  ],
  exports: [AccessCache],
})
export class AccessCacheModule {}
