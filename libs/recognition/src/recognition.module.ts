import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AudioModule } from '@mira/audio';
import { AuditModule } from '@mira/audit';
import { InteractionModule } from '@mira/interaction';
import { NetworkModule } from '@mira/network';
import { PersonModule } from '@mira/person';
import { RecognitionController } from './recognition.controller.js';
import { RecognitionService } from './recognition.service.js';
import { VoiceprintEntity } from './voiceprint.entity.js';
import { VoiceprintRepository } from './voiceprint.repository.js';

/** Voiceprints, enrolment, speaker identification and person merge. */
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
  providers: [VoiceprintRepository, RecognitionService],
  exports: [RecognitionService],
})
export class RecognitionModule {}
