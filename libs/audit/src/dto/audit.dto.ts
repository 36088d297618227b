import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@mira/core';
import { AUDIT_ACTIONS } from '../audit.types.js';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only this action' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: string;

  @ApiPropertyOptional({
    example: '2026-01-01T00:00:00Z',
    description: 'Only entries at or after this instant (ISO 8601)',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  since?: string;
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({ enum: ['user', 'client', 'system'] })
  actor_kind: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'User id, client row id, or null for the system',
  })
  actor_id: string | null;

  @ApiProperty({ enum: AUDIT_ACTIONS })
  action: string;

  @ApiProperty({ example: 'client' })
  target_type: string;

  @ApiProperty({ type: String, nullable: true })
  target_id: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Ids and counts only' })
  details: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true })
  request_id: string | null;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items: AuditEntryDto[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;
}
