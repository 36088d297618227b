import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { CanonicalIds, DocumentInherited, IsStorableText, PageOf, PageQueryDto } from '@mira/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const PARTICIPANTS_DOC = '1-50 distinct ids of persons of this network (404 PERSON_NOT_FOUND otherwise)';

export class CreateConversationDto {
  @ApiProperty({
    example: 'Meeting Discussion',
    minLength: 1,
    maxLength: 255,
    description: 'Trimmed; not blank',
  })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @IsStorableText()
  title: string;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 50, description: PARTICIPANTS_DOC })
  @CanonicalIds()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  @ArrayUnique()
  participants: string[];
}

/** PUT and PATCH: only the fields given change. */
@DocumentInherited<UpdateConversationDto>({
  title: { example: 'Planning', minLength: 1, maxLength: 255, description: 'Trimmed; not blank' },
  participants: {
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: 50,
    description: `Replaces the participant list. ${PARTICIPANTS_DOC}`,
  },
})
export class UpdateConversationDto extends PartialType(CreateConversationDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: 'false ends the conversation (ended_at = now); true reopens it' })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsStorableText()
  topic_summary?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  @IsStorableText()
  context_summary?: string | null;
}

export class ConversationListQueryV2Dto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['started_at', 'created_at', 'updated_at'], default: 'started_at' })
  @IsOptional()
  @IsIn(['started_at', 'created_at', 'updated_at'])
  sort?: 'started_at' | 'created_at' | 'updated_at';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only active (or only ended) conversations' })
  @IsOptional()
  @IsIn(['true', 'false'])
  @Type(() => String)
  is_active?: 'true' | 'false';
}

/** v1 conversation: the original API's shape plus what the shipped clients read (started_at, is_active). */
export class ConversationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Meeting Discussion',
    description: 'null for automatic conversations',
  })
  title: string | null;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Person ids, in the order they joined' })
  participants: string[];

  @ApiProperty({ example: 45 })
  interaction_count: number;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  started_at: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  ended_at: string | null;

  @ApiProperty({ example: true })
  is_active: boolean;

  @ApiProperty({ nullable: true, type: String, description: 'Short title made by the summariser' })
  topic_summary: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Summary of what was said' })
  context_summary: string | null;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  updated_at: string;
}

export class ParticipantDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ nullable: true, type: String })
  name: string | null;

  @ApiProperty({ example: 2 })
  index: number;

  @ApiProperty({ example: 'Person 2', description: 'name, or "Person {index}" when unnamed' })
  display_name: string;
}

/** v2 conversation: v1 plus participant details, summary kind and activity figures. */
export class ConversationV2Dto extends ConversationDto {
  @ApiProperty({ type: [ParticipantDto] })
  participant_details: ParticipantDto[];

  @ApiProperty({
    nullable: true,
    enum: ['llm', 'extractive'],
    description: 'How the summaries were made: a language model, or the weaker extractive fallback',
  })
  summary_kind: 'llm' | 'extractive' | null;

  @ApiProperty({ nullable: true, type: String, example: '2026-01-01T12:05:00.000Z' })
  last_interaction_at: string | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 300,
    description: 'ended_at - started_at, null while active',
  })
  duration_seconds: number | null;
}

export class ConversationPageDto extends PageOf(ConversationV2Dto, { total: 42, limit: 10 }) {}
