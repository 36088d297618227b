import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { ActionDto } from '@mira/action';
import { canonicalId, IsBoundedJsonObject, IsStorableText, PageQueryDto } from '@mira/core';
import { InteractionDto } from '@mira/interaction';
import { DEVICE_NAME_RULE, IsDeviceName } from '@mira/network';

/** A device as the apps see it (their ClientResponse). */
export class AppDeviceDto {
  @ApiProperty({ example: 'desktop-client', description: `Device name: ${DEVICE_NAME_RULE}` })
  client_id: string;

  @ApiProperty({ format: 'date-time', description: 'When the device was registered' })
  connected_at: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { local_ip: '192.168.1.20' } })
  metadata: Record<string, unknown>;
}

export class RegisterDeviceDto {
  @ApiPropertyOptional({
    example: 'desktop-client',
    description: `Device name: ${DEVICE_NAME_RULE}. Without one the server assigns client1, client2, …`,
  })
  @IsOptional()
  @IsDeviceName()
  client_id?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { local_ip: '127.0.0.1', external_ip: '192.168.1.20' },
    description: 'What the device says about itself: a JSON object of at most 50 keys and 16 KB',
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoundedJsonObject()
  metadata?: Record<string, unknown>;
}

export class RenameDeviceDto {
  @ApiProperty({ example: 'kitchen', description: `The new name: ${DEVICE_NAME_RULE}` })
  @IsDeviceName()
  new_client_id: string;
}

/** Mira's interaction (v1 fields) plus the names the apps read. */
export class AppInteractionDto extends InteractionDto {
  @ApiProperty({ description: 'The transcript ("" while there is none); the same as content' })
  text: string;

  @ApiProperty({ format: 'date-time', description: 'When it was said; the same as occurred_at' })
  timestamp: string;

  @ApiProperty({ type: Number, nullable: true, description: 'Always null: Mira does not score sentiment' })
  sentiment: number | null;
}

export class AppInteractionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description:
      'Only these conversations: the key repeated once per id (conversation_ids=a&conversation_ids=b), at most ' +
      "500. A conversation deleted meanwhile selects nothing; an id that was never one of this account's is a 404.",
  })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]).map(canonicalId))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  conversation_ids?: string[];

  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: only interactions that belong to no conversation',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  orphans_only?: boolean;
}

/** Lists the apps call without a limit mean "all of them": the largest page. */
export class AppListQueryDto extends PageQueryDto {}

/**
 * PATCH /persons/{person_id}: multipart form fields (the apps' FormData) or the same as JSON. `name` renames ("" or
 * JSON null unnames); a file in `audio` enrols a voice sample, `expected_text` being what was read aloud.
 */
export class AppPersonUpdateDto {
  @ApiPropertyOptional({ example: 'Ada', maxLength: 255, description: 'New name; "" (or null) unnames' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() || null : value))
  @IsString()
  @MaxLength(255)
  @IsStorableText()
  name?: string | null;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'What the person read aloud in `audio` (kept with it)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsStorableText()
  expected_text?: string;
}

/** The apps' NetworkAction: Mira's action with `details` as text and the structured details in `parameters`. */
export class AppActionDto extends OmitType(ActionDto, ['details'] as const) {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Take the pills at 2026-01-01T14:00:00',
    description: 'A sentence for people, built from the parameters',
  })
  details: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'remind: {time, description}; schedule: {start_time, end_time, name, location?}; contact: {name, method, details}',
  })
  parameters: Record<string, unknown>;
}

/**
 * The multipart text fields the apps send beside an `audio` file they heard (a segment, a voice command): the device
 * and, from dadei, its socket's session token.
 */
export class HeardAudioFieldsDto {
  @ApiProperty({ example: 'desktop-client', description: `The device that heard it: ${DEVICE_NAME_RULE}` })
  @IsDeviceName()
  client_id: string;

  @ApiPropertyOptional({
    description: 'The realtime session_ready token (accepted; the bearer token decides)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  session_token?: string;
}

/**
 * The OpenAPI multipart body of an upload the apps heard: the `audio` file, HeardAudioFieldsDto's fields, and the
 * route's own (`more`).
 */
export function heardAudioBody(
  audio: string,
  more: Record<string, { type: 'string'; description: string }> = {},
) {
  return {
    type: 'object',
    required: ['audio', 'client_id'],
    properties: {
      audio: { type: 'string', format: 'binary', description: audio },
      client_id: { type: 'string', description: `The device that heard it: ${DEVICE_NAME_RULE}` },
      session_token: {
        type: 'string',
        description: 'From the socket’s session_ready (accepted, not needed)',
      },
      ...more,
    },
  };
}

/** POST /interactions/register: the multipart text fields beside the `audio` file, with the segment's timing. */
export class SegmentFieldsDto extends HeardAudioFieldsDto {
  @ApiPropertyOptional({ example: '1767268800000', description: 'Device epoch ms when speech was detected' })
  @IsOptional()
  @IsString()
  chunk_start_ms?: string;

  @ApiPropertyOptional({ example: '1767268802400', description: 'Device epoch ms when the segment ended' })
  @IsOptional()
  @IsString()
  chunk_end_ms?: string;
}
