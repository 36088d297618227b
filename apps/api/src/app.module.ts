import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AudioModule } from '@mira/audio';
import { AuditModule } from '@mira/audit';
import {
  AccessCacheModule,
  AccessGuard,
  AppConfig,
  AppLogger,
  BodyMediaTypeGuard,
  CoreModule,
  DatabaseModule,
  RateLimitGuard,
  RateLimitModule,
  RealtimeBusModule,
} from '@mira/core';
import { IdentityModule } from '@mira/identity';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { PersonModule } from '@mira/person';
import { ConversationModule } from '@mira/conversation';
import { InteractionModule } from '@mira/interaction';
import { StreamModule } from '@mira/stream';
import { AssistantModule } from '@mira/assistant';
import { RecognitionModule } from '@mira/recognition';
import { ActionModule } from '@mira/action';
import { UtteranceModule } from '@mira/utterance';
import { RetentionModule } from '@mira/retention';
import { RealtimeModule } from '@mira/realtime';
import { AppsModule } from '@mira/apps';
import { MemoryModule } from '@mira/memory';
import { RecordingModule } from '@mira/recording';
import { ALL_MIGRATIONS } from '../../../migrations/index.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

/** Composition root: imports the domain modules and nothing else. */
@Module({})
export class AppModule {
  static register(config: AppConfig, logger: AppLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        DatabaseModule.forRoot({ migrations: ALL_MIGRATIONS }),
        RealtimeBusModule.forRoot(),
        AccessCacheModule,
        RateLimitModule,
        HealthModule,
        JobsModule,
        MetricsModule,
        AudioModule,
        IdentityModule,
        NetworkModule,
        PersonModule,
        ConversationModule,
        InteractionModule,
        StreamModule,
        AssistantModule,
        RecognitionModule,
        ActionModule,
        UtteranceModule,
        RecordingModule,
        AuditModule,
        RetentionModule,
        MemoryModule,
        RealtimeModule,
        AppsModule,
      ],
      providers: [
        // Global guards run in this order: the rate limiter knows the caller and its network, and counts a body
        // the media-type check then refuses (415) before any pipe sees it.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: BodyMediaTypeGuard },
      ],
    };
  }
}
