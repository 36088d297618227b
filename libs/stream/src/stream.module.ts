import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideHook } from '@mira/core';
import { AudioModule } from '@mira/audio';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { RetentionTarget } from '@mira/retention';
import {
  StreamChunkEntity,
  StreamClientSignalsEntity,
  StreamEntity,
  StreamFloorEntity,
} from './stream.entity.js';
import { StreamController } from './stream.controller.js';
import { StreamRepository } from './stream.repository.js';
import { StreamChunkRetention } from './stream.retention.js';
import { StreamService } from './stream.service.js';

/** Multi-device audio ingestion and best-microphone arbitration. */
@Module({
  imports: [
    TypeOrmModule.forFeature([StreamEntity, StreamChunkEntity, StreamFloorEntity, StreamClientSignalsEntity]),
    NetworkModule,
    AudioModule,
    JobsModule,
  ],
  controllers: [StreamController],
  providers: [
    StreamRepository,
    StreamService,
    StreamChunkRetention,
    provideHook(RetentionTarget, StreamChunkRetention),
  ],
  exports: [StreamService],
})
export class StreamModule {}
