import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { DocumentInherited, IsBoundedJsonObject } from '@mira/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateNetworkDto {
  @ApiProperty({ example: 'Home', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;
}

/** PATCH: only the fields given change. */
@DocumentInherited<UpdateNetworkDto>({ name: { example: 'Office', minLength: 1, maxLength: 100 } })
export class UpdateNetworkDto extends PartialType(CreateNetworkDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({
    description: 'Whether the network accepts audio (same as PATCH service/enable|disable)',
  })
  // null is not "leave unchanged": only an absent field is (a null would hit NOT NULL as a 500).
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  service_enabled?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 36500,
    example: 90,
    description: 'Days interactions and stored audio are kept; null returns to the server default',
  })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  retention_days?: number | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Settings to change, merged key by key into the stored ones (a key set to null is removed). Known keys: ' +
      'inference_enabled (bool), conversation_gap_seconds, conversation_speaker_change_gap_seconds, speaker_id ' +
      '(docs/recognition.md, Identification policy: thresholds and margins at the top level are cosines, under ' +
      'normalised they are on the cohort-normalised scale; seconds and counts apply to both).',
    example: {
      inference_enabled: true,
      speaker_id: { match_threshold: 0.5, normalised: { match_threshold: 3.5 } },
    },
  })
  // null is not "no change": it is validated (and refused) like any other non-object
  @ValidateIf((_, value) => value !== undefined)
  @IsBoundedJsonObject()
  settings?: Record<string, unknown>;
}

export class NetworkDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Home' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  owner_id: string;

  @ApiProperty()
  service_enabled: boolean;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Retention in days for interactions and stored audio; null means the server default',
  })
  retention_days: number | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Per-network settings' })
  settings: Record<string, unknown>;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  updated_at: string;
}
