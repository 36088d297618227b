import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AudioModule } from '@mira/audio';
import { AuditModule } from '@mira/audit';
import { provideHook } from '@mira/core';
import { InteractionModule, InteractionPersonChangeHook } from '@mira/interaction';
import { NetworkModule } from '@mira/network';
import { PersonMergeHook, PersonModule, PersonStatsProvider } from '@mira/person';
import { RecognitionController } from './recognition.controller.js';
import { SpeakerIdentificationService } from './speaker-identification.service.js';
import { UnattributedVoiceEntity } from './unattributed-voice.entity.js';
import { UnattributedVoiceRepository } from './unattributed-voice.repository.js';
import { VoiceGatheringService } from './voice-gathering.service.js';
import { VoiceprintEntity } from './voiceprint.entity.js';
import { VoiceprintInteractionHooks } from './voiceprint.interaction-hooks.js';
import { VoiceprintPersonHooks } from './voiceprint.person-hooks.js';
import { VoiceprintRepository } from './voiceprint.repository.js';
import { VoiceprintService } from './voiceprint.service.js';

/**
 * Voiceprints (enrolment, samples, refinement), speaker identification, unknown voices gathered into new persons, and
 * the person merge route.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([VoiceprintEntity, UnattributedVoiceEntity]),
    PersonModule,
    InteractionModule,
    NetworkModule,
    AudioModule,
    AuditModule,
  ],
  controllers: [RecognitionController],
  providers: [
    VoiceprintRepository,
    VoiceprintService,
    SpeakerIdentificationService,
    UnattributedVoiceRepository,
    VoiceGatheringService,
    VoiceprintPersonHooks,
    provideHook(PersonStatsProvider, VoiceprintPersonHooks),
    provideHook(PersonMergeHook, VoiceprintPersonHooks),
    VoiceprintInteractionHooks,
    provideHook(InteractionPersonChangeHook, VoiceprintInteractionHooks),
  ],
  exports: [VoiceprintService, SpeakerIdentificationService, VoiceGatheringService],
})
export class RecognitionModule {}
