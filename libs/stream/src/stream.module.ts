import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideHook } from '@mira/core';
import { AudioModule } from '@mira/audio';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { RetentionTarget } from '@mira/retention';
import { ChunkIngestionService } from './chunk-ingestion.service.js';
import { StreamClientSignalsEntity } from './client-signals.entity.js';
import { ClientSignalsRepository } from './client-signals.repository.js';
import { LiveAudioController } from './live-audio.controller.js';
import { LiveAudioV1Gateway, LiveAudioV2Gateway } from './live-audio.gateway.js';
import { LiveAudioSockets } from './live-audio-sockets.js';
import { PhoneSignalService } from './phone-signal.service.js';
import { StreamArbitrationService } from './stream-arbitration.service.js';
import { StreamChunkEntity } from './stream-chunk.entity.js';
import { StreamChunkRepository } from './stream-chunk.repository.js';
import { StreamChunkService } from './stream-chunk.service.js';
import { StreamDecisionEntity } from './stream-decision.entity.js';
import { StreamFloorEntity } from './stream-floor.entity.js';
import { StreamFloorRepository } from './stream-floor.repository.js';
import { StreamIngestEntity } from './stream-ingest.entity.js';
import { StreamIngestRepository } from './stream-ingest.repository.js';
import { StreamReadService } from './stream-read.service.js';
import { StreamController } from './stream.controller.js';
import { StreamEntity } from './stream.entity.js';
import { StreamRepository } from './stream.repository.js';
import { StreamChunkRetention } from './stream.retention.js';

/** Multi-device audio ingestion (uploaded chunks and live sockets) and best-microphone arbitration. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      StreamEntity,
      StreamChunkEntity,
      StreamFloorEntity,
      StreamDecisionEntity,
      StreamIngestEntity,
      StreamClientSignalsEntity,
    ]),
    NetworkModule,
    AudioModule,
    JobsModule,
  ],
  controllers: [StreamController, LiveAudioController],
  providers: [
    StreamRepository,
    StreamChunkRepository,
    StreamFloorRepository,
    StreamIngestRepository,
    ClientSignalsRepository,
    ChunkIngestionService,
    StreamArbitrationService,
    StreamReadService,
    PhoneSignalService,
    StreamChunkService,
    StreamChunkRetention,
    LiveAudioSockets,
    LiveAudioV1Gateway,
    LiveAudioV2Gateway,
    provideHook(RetentionTarget, StreamChunkRetention),
  ],
  exports: [StreamChunkService, ChunkIngestionService],
})
export class StreamModule {}
