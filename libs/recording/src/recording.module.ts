import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssistantModule } from '@mira/assistant';
import { AudioModule } from '@mira/audio';
import { provideHook } from '@mira/core';
import { ConversationModule } from '@mira/conversation';
import { InteractionModule } from '@mira/interaction';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { PersonDeletionHook, PersonMergeHook, PersonModule } from '@mira/person';
import { RecognitionModule } from '@mira/recognition';
import { RetentionTarget } from '@mira/retention';
import { RecordingAudioRepository } from './recording-audio.repository.js';
import { RecordingController } from './recording.controller.js';
import { RecordingDecodeStage } from './recording-decode.stage.js';
import { RecordingDiarizeStage } from './recording-diarize.stage.js';
import { RecordingEntity, RecordingSegmentEntity } from './recording.entity.js';
import { RecordingPersonHooks } from './recording.person-hooks.js';
import { RecordingProcessor } from './recording-processor.js';
import { RecordingRepository } from './recording.repository.js';
import { RecordingRetention } from './recording.retention.js';
import { RecordingService } from './recording.service.js';
import { RecordingTurnsStage } from './recording-turns.stage.js';
import { RecordingUploadInterceptor } from './recording-upload.interceptor.js';

/**
 * Recordings: the /recordings routes (upload streamed to storage, read, cancel, delete) and the recording.process
 * job (RecordingProcessor) that decodes, diarizes, identifies and transcribes them into one conversation.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RecordingEntity, RecordingSegmentEntity]),
    AudioModule,
    AssistantModule,
    ConversationModule,
    InteractionModule,
    JobsModule,
    NetworkModule,
    PersonModule,
    RecognitionModule,
  ],
  controllers: [RecordingController],
  providers: [
    RecordingRepository,
    RecordingAudioRepository,
    RecordingService,
    RecordingUploadInterceptor,
    RecordingDecodeStage,
    RecordingDiarizeStage,
    RecordingTurnsStage,
    RecordingProcessor,
    RecordingRetention,
    RecordingPersonHooks,
    provideHook(RetentionTarget, RecordingRetention),
    provideHook(PersonMergeHook, RecordingPersonHooks),
    provideHook(PersonDeletionHook, RecordingPersonHooks),
  ],
  exports: [RecordingService],
})
export class RecordingModule {}
