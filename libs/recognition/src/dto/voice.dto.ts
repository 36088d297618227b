import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CanonicalIds } from '@mira/core';

export class EnrolVoiceDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'Free text, e.g. "kitchen, morning"' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class VoiceSampleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  person_id: string;

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty({ description: 'Seconds of speech (VAD) the embedding was computed from' })
  speech_seconds: number;

  @ApiProperty({
    description: 'Speaker model that made the embedding; samples of other models are not compared',
  })
  model_id: string;

  @ApiProperty({ enum: ['enrolment', 'auto'], description: 'auto = added by confident identifications' })
  source: 'enrolment' | 'auto';

  @ApiProperty({
    description:
      'True when the sample was made by the current default speaker model (older ones are ignored)',
  })
  current_model: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class EnrolmentResultDto extends VoiceSampleDto {
  @ApiProperty({
    description: 'True when the speaker model is a weak baseline (identification will be unreliable)',
  })
  weak_model: boolean;

  @ApiProperty({ description: 'Seconds of audio received' })
  audio_seconds: number;
}

export class MergePersonDto {
  @ApiProperty({ format: 'uuid', description: 'The person folded into the target and then deleted' })
  @CanonicalIds()
  @IsUUID()
  source_person_id: string;
}
