import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { DocumentInherited, IsBoundedJsonObject, IsStorableText, PageOf, PageQueryDto } from '@mira/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const METADATA_DOC =
  'Free-form JSON object: at most 50 top-level keys, 16 KB of JSON and 8 levels of nesting (422 otherwise).';

export class CreatePersonDto {
  @ApiPropertyOptional({
    example: 'John Doe',
    nullable: true,
    type: String,
    minLength: 1,
    maxLength: 255,
    description: 'Trimmed. Omit or null for an unnamed person, shown as "Person {index}".',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @IsStorableText()
  name?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: {}, description: METADATA_DOC })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoundedJsonObject()
  metadata?: Record<string, unknown>;
}

/** PUT and PATCH: only the fields given change; `name: null` makes the person unnamed again. */
@DocumentInherited<UpdatePersonDto>({
  name: { example: 'Jane Doe', nullable: true, type: String, minLength: 1, maxLength: 255 },
  metadata: {
    type: 'object',
    additionalProperties: true,
    description: `${METADATA_DOC} Replaces the stored object.`,
  },
})
export class UpdatePersonDto extends PartialType(CreatePersonDto, { skipNullProperties: false }) {}

export class PersonListQueryV2Dto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['index', 'name', 'created_at', 'updated_at'], default: 'index' })
  @IsOptional()
  @IsIn(['index', 'name', 'created_at', 'updated_at'])
  sort?: 'index' | 'name' | 'created_at' | 'updated_at';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

const VOICEPRINT_DOC =
  "Raw voice embeddings are biometric data and are never returned (the original API's `voice_embedding` is replaced " +
  'by `has_voiceprint`). Counts are of samples made by the current speaker model.';

/** v1 person: the original API's shape plus index and voiceprint figures. */
export class PersonDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({ nullable: true, type: String, example: 'John Doe', description: 'null for unnamed persons' })
  name: string | null;

  @ApiProperty({
    example: 3,
    description: 'Per-network number: unnamed persons are shown as "Person {index}"',
  })
  index: number;

  @ApiProperty({ example: 0, description: `Voice samples enrolled for this person. ${VOICEPRINT_DOC}` })
  voiceprint_samples: number;

  @ApiProperty({ example: false, description: `Whether a voiceprint exists. ${VOICEPRINT_DOC}` })
  has_voiceprint: boolean;

  @ApiProperty({
    example: false,
    description:
      'The person has voice samples only from an earlier speaker model. They are still recognised through it while ' +
      'that model ships, but should enrol again (POST /persons/{id}/voice) to be recognised by the current one.',
  })
  needs_reenrolment: boolean;

  @ApiProperty({ example: 12, description: 'Conversations this person takes part in' })
  conversation_count: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  updated_at: string;
}

/** v2 person: v1 plus a display label and activity figures. */
export class PersonV2Dto extends PersonDto {
  @ApiProperty({ example: 'Person 3', description: 'name, or "Person {index}" when unnamed' })
  display_name: string;

  @ApiProperty({ example: 140, description: 'Interactions attributed to this person' })
  interaction_count: number;

  @ApiProperty({ nullable: true, type: String, example: '2026-01-01T12:00:00.000Z' })
  last_interaction_at: string | null;
}

export class PersonPageDto extends PageOf(PersonV2Dto, { total: 42, limit: 20 }) {}
