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
import { VoiceprintEntity } from './voiceprint.entity.js';
import { VoiceprintInteractionHooks } from './voiceprint.interaction-hooks.js';
import { VoiceprintPersonHooks } from './voiceprint.person-hooks.js';
import { VoiceprintRepository } from './voiceprint.repository.js';
import { VoiceprintService } from './voiceprint.service.js';

/** Voiceprints (enrolment, samples, refinement), speaker identification, and the person merge route. */
@Module({
  imports: [
    TypeOrmModule.forFeature([VoiceprintEntity]),
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
    VoiceprintPersonHooks,
    provideHook(PersonStatsProvider, VoiceprintPersonHooks),
    provideHook(PersonMergeHook, VoiceprintPersonHooks),
    VoiceprintInteractionHooks,
    provideHook(InteractionPersonChangeHook, VoiceprintInteractionHooks),
  ],
  exports: [VoiceprintService, SpeakerIdentificationService],
})
export class RecognitionModule {}
