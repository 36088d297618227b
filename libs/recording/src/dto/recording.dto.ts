import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsISO8601, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsBoundedJsonObject, IsStorableText, PageOf } from '@mira/core';

const STATUSES = ['receiving', 'queued', 'processing', 'done', 'failed', 'cancelled'] as const;

/** A text field holding JSON becomes the value it encodes (a string that is not JSON stays a string and fails). */
const parseJson = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

/** The text fields of the multipart upload (the audio itself is the `audio` file field). */
export class CreateRecordingDto {
  @ApiPropertyOptional({
    example: '2026-01-01T12:00:00Z',
    description:
      'When the first sample was heard (ISO 8601 with a time zone); default: when the upload arrived',
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsISO8601({ strict: true, strictSeparator: true })
  recorded_at?: string;

  @ApiPropertyOptional({
    maxLength: 200,
    example: 'Monday stand-up',
    description: "The conversation's title",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  title?: string;

  @ApiPropertyOptional({
    type: String,
    example: '{"room":"kitchen"}',
    description: 'A JSON object as text (at most 50 keys, 16 KB, 8 levels)',
  })
  @ValidateIf((_, value) => value !== undefined)
  @Transform(parseJson)
  @IsBoundedJsonObject()
  metadata?: Record<string, unknown>;
}

export class RecordingAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  recording_id: string;

  @ApiProperty({ format: 'uuid', description: 'Follow it at GET /{network_id}/tasks/{task_id}' })
  task_id: string;

  @ApiProperty({ enum: STATUSES, example: 'queued' })
  status: (typeof STATUSES)[number];
}

export class RecordingSegmentDto {
  @ApiProperty({ description: 'Turn number within the recording, from 0' })
  index: number;

  @ApiProperty({ example: 12.48, description: 'Seconds from the start of the recording' })
  start: number;

  @ApiProperty({ example: 17.9 })
  end: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null = not recognised' })
  person_id: string | null;

  @ApiProperty({
    example: 'S1',
    description: 'The voice within this recording (S1, S2, … by first appearance)',
  })
  speaker_label: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'null while pending, or when it could not be transcribed',
  })
  text: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The speaker match's similarity (null for a voice that matched nobody)",
  })
  confidence: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'transcribed' })
  transcription_status: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The interaction made from this turn',
  })
  interaction_id: string | null;
}

export class RecordingSpeakerDto {
  @ApiProperty({ example: 'S1' })
  speaker_label: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  person_id: string | null;

  @ApiProperty({
    example: 'match',
    description:
      'The speaker policy: match (an enrolled person), unknown, or new_person once the voice, clearly nobody ' +
      'enrolled, was gathered into one new person',
  })
  decision: string;

  @ApiProperty({ example: 42.5 })
  speech_seconds: number;
}

export class RecordingDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({ enum: STATUSES })
  status: (typeof STATUSES)[number];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  task_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  filename: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'flac', description: 'The container the bytes are' })
  format: string | null;

  @ApiProperty({ description: 'Bytes uploaded' })
  size_bytes: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Seconds, once decoded' })
  duration: number | null;

  @ApiProperty({ format: 'date-time' })
  recorded_at: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Where its turns were grouped' })
  conversation_id: string | null;

  @ApiProperty({ type: [RecordingSpeakerDto] })
  speakers: RecordingSpeakerDto[];

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, example: 'AUDIO_UNDECODABLE' })
  error_code: string | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ description: 'Turns found so far' })
  segment_count: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  processed_at: string | null;
}

export class RecordingDetailDto extends RecordingDto {
  @ApiProperty({ type: [RecordingSegmentDto], description: 'The turns in time order' })
  segments: RecordingSegmentDto[];
}

export class RecordingPageDto extends PageOf(RecordingDto, { total: 12, limit: 50 }) {}
