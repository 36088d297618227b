import { isoUtc } from '@mira/core';
import type { EnrolmentResultDto, VoiceSampleDto } from './dto/voice.dto.js';
import type { Enrolment, VoiceSample } from './voiceprint.types.js';

/** `currentModelId`: the speaker model loaded now (samples of other models are kept but not compared). */
export function toVoiceSampleDto(sample: VoiceSample, currentModelId: string | null): VoiceSampleDto {
  return {
    id: sample.id,
    person_id: sample.personId,
    description: sample.description,
    speech_seconds: sample.speechSeconds,
    model_id: sample.modelId,
    source: sample.source,
    current_model: sample.modelId === currentModelId,
    created_at: isoUtc(sample.createdAt) as string,
  };
}

export function toEnrolmentResultDto(
  enrolment: Enrolment,
  currentModelId: string | null,
): EnrolmentResultDto {
  return {
    ...toVoiceSampleDto(enrolment.sample, currentModelId),
    weak_model: enrolment.weakModel,
    audio_seconds: enrolment.audioSeconds,
  };
}
