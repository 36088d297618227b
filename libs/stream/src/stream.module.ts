import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NetworkModule } from '@mira/network';
import {
  StreamChunkEntity,
  StreamClientSignalsEntity,
  StreamEntity,
  StreamFloorEntity,
} from './stream.entity.js';
import { StreamController } from './stream.controller.js';
import { StreamRepository } from './stream.repository.js';
import { StreamService } from './stream.service.js';

/** Multi-device audio ingestion and best-microphone arbitration. Needs the global AudioModule and JobsModule. */
@Module({
  imports: [
    TypeOrmModule.forFeature([StreamEntity, StreamChunkEntity, StreamFloorEntity, StreamClientSignalsEntity]),
    NetworkModule,
  ],
  controllers: [StreamController],
  providers: [StreamRepository, StreamService],
  exports: [StreamService],
})
export class StreamModule {}
