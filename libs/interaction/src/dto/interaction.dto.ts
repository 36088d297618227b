import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  registerDecorator,
  ValidateIf,
} from 'class-validator';
import {
  CanonicalIds,
  DocumentInherited,
  IsBoundedJsonObject,
  IsStorableText,
  PageOf,
  PageQueryDto,
} from '@mira/core';

const TYPES = ['audio', 'text', 'system'] as const;
const METADATA_DOC =
  'Free-form JSON object: at most 50 top-level keys, 16 KB of JSON and 8 levels of nesting (422 otherwise).';
const TIME_DOC = 'ISO 8601 with a time zone, e.g. 2026-01-01T12:00:00Z';
/** Dates PostgreSQL and JavaScript agree on; anything else is a 422 rather than a 400 from the database. */
const ISO_OPTIONS = { strict: true, strictSeparator: true } as const;

export class CreateInteractionDto {
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'null = unknown speaker',
  })
  @IsOptional()
  @CanonicalIds()
  @IsUUID('all')
  person_id?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @CanonicalIds()
  @IsUUID('all')
  conversation_id?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 20000,
    example: "Let's go for a walk at 2PM.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  @IsStorableText()
  content?: string | null;

  @ApiProperty({ enum: TYPES, example: 'text' })
  @IsIn(TYPES)
  interaction_type: (typeof TYPES)[number];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: {}, description: METADATA_DOC })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoundedJsonObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: '2026-01-01T12:00:00Z',
    description: `When it was said (default now). ${TIME_DOC}`,
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsISO8601(ISO_OPTIONS)
  @IsSaneDate()
  occurred_at?: string;
}

/** PUT and PATCH: only the fields given change; null person_id / conversation_id detaches. */
@DocumentInherited<UpdateInteractionDto>({
  person_id: { format: 'uuid', nullable: true, type: String },
  content: { nullable: true, type: String, maxLength: 20000 },
  interaction_type: { enum: TYPES },
  metadata: { type: 'object', additionalProperties: true, description: `${METADATA_DOC} Replaces it.` },
  occurred_at: { example: '2026-01-01T12:00:00Z', description: TIME_DOC },
})
export class UpdateInteractionDto extends PartialType(CreateInteractionDto, { skipNullProperties: false }) {}

export class InteractionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Only this person's interactions (404 if not a person here)",
  })
  @IsOptional()
  @CanonicalIds()
  @IsUUID('all')
  person_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this conversation (404 if not a conversation here)',
  })
  @IsOptional()
  @CanonicalIds()
  @IsUUID('all')
  conversation_id?: string;

  @ApiPropertyOptional({ enum: TYPES })
  @IsOptional()
  @IsIn(TYPES)
  interaction_type?: (typeof TYPES)[number];

  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: `occurred_at >= since. ${TIME_DOC}` })
  @IsOptional()
  @IsISO8601(ISO_OPTIONS)
  @IsSaneDate()
  since?: string;

  @ApiPropertyOptional({ example: '2026-01-02T00:00:00Z', description: `occurred_at < until. ${TIME_DOC}` })
  @IsOptional()
  @IsISO8601(ISO_OPTIONS)
  @IsSaneDate()
  until?: string;

  @ApiPropertyOptional({
    description:
      'Continue after the page that answered this cursor (v2 `next_cursor`, v1 `X-Next-Cursor` header), at the ' +
      'same cost at any depth; not with an offset above 0. Keep the same filters, sort and order. A cursor this ' +
      'API did not issue, or issued for another network, sort or order, is a 400 INVALID_CURSOR.',
    example: 'WzEsIjNmYTg1ZjY0Ii4uLl0',
  })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class InteractionListQueryV2Dto extends InteractionListQueryDto {
  @ApiPropertyOptional({ enum: ['occurred_at', 'created_at'], default: 'occurred_at' })
  @IsOptional()
  @IsIn(['occurred_at', 'created_at'])
  sort?: 'occurred_at' | 'created_at';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

/** v1 interaction: the original API's fields plus when it was said. */
export class InteractionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'null = unknown (or deleted) speaker',
  })
  person_id: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  conversation_id: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'null while untranscribed' })
  content: string | null;

  @ApiProperty({ enum: TYPES })
  interaction_type: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Free-form. From the pipeline: `speaker` (decision, reason, best_similarity, best_score, runner_up_score, ' +
      'score_scale, speech_seconds, heard_snr_db: the SNR the speaker policy judged the utterance by, noisy_speech: ' +
      'whether it was judged as speech in noise, model_id, weak_model), `audio`, `transcription`. ' +
      '`deleted_person: {id, index, name, deleted_at}` after its speaker was deleted',
  })
  metadata: Record<string, unknown>;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z', description: 'When it was said' })
  occurred_at: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  updated_at: string;
}

/** v2 interaction: v1 plus the pipeline's figures. */
export class InteractionV2Dto extends InteractionDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Speaker identification confidence, 0-1' })
  speaker_confidence: number | null;

  @ApiProperty({ nullable: true, enum: ['transcribed', 'untranscribed', 'pending', 'failed'] })
  transcription_status: string | null;

  @ApiProperty({ nullable: true, enum: ['pending', 'processing', 'done', 'failed'] })
  processing_status: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Stream the audio came from' })
  source_stream_id: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Audio chunk it was cut from' })
  source_chunk_id: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'Recording it was said in (GET /recordings/{recording_id})',
  })
  source_recording_id: string | null;

  @ApiProperty({
    description: 'Which turn of its source chunk or recording (a chunk with two voices gives turns 0 and 1)',
  })
  source_turn: number;
}

export class InteractionPageDto extends PageOf(InteractionV2Dto, { total: 1200, limit: 50 }) {
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'WzEsIjNmYTg1ZjY0Ii4uLl0',
    description:
      'Pass as `cursor` for the next page (null on the last page): constant cost at any depth, and no row repeated or ' +
      'skipped when interactions are added meanwhile. With a cursor, `offset` is 0 and `next_offset` null.',
  })
  next_cursor: string | null;
}

/** A real instant between 1970 and 9999; a date-time must carry its zone (Z or ±hh:mm). */
function IsSaneDate() {
  return (object: object, propertyName: string) => {
    registerDecorator({
      name: 'isSaneDate',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          if (value.includes('T') && !/(Z|[+-]\d\d(:?\d\d)?)$/i.test(value)) return false;
          const time = new Date(value).getTime();
          return Number.isFinite(time) && time >= Date.UTC(1970, 0, 1) && time < Date.UTC(10000, 0, 1);
        },
        defaultMessage: (args) =>
          `${args?.property} must be an ISO 8601 instant with a time zone, between 1970 and 9999`,
      },
    });
  };
}
