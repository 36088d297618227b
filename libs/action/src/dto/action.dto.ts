import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CanonicalIds, PageQueryDto } from '@mira/core';

export class ActionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) network_id: string;
  @ApiProperty({ format: 'uuid' }) interaction_id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) person_id: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) conversation_id: string | null;
  @ApiProperty({ enum: ['remind', 'schedule', 'contact'] }) action_type: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'remind: {time, description}; schedule: {start_time, end_time, name, location?}; contact: {name, method, details}',
  })
  details: Record<string, unknown>;
  @ApiProperty({ enum: ['pending', 'confirmed', 'dismissed'] }) status: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) scheduled_time: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_time: string | null;
  @ApiProperty({
    enum: ['gemini', 'rules'],
    description: 'rules = the offline rule-based extractor (narrow)',
  })
  source: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ActionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'confirmed', 'dismissed'] })
  @IsOptional()
  @IsIn(['pending', 'confirmed', 'dismissed'])
  status?: 'pending' | 'confirmed' | 'dismissed';

  @ApiPropertyOptional({ enum: ['remind', 'schedule', 'contact'] })
  @IsOptional()
  @IsIn(['remind', 'schedule', 'contact'])
  action_type?: 'remind' | 'schedule' | 'contact';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @CanonicalIds()
  @IsUUID()
  person_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @CanonicalIds()
  @IsUUID()
  conversation_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @CanonicalIds()
  @IsUUID()
  interaction_id?: string;
}

export class UpdateActionDto {
  @ApiProperty({ enum: ['pending', 'confirmed', 'dismissed'] })
  @IsIn(['pending', 'confirmed', 'dismissed'])
  status: 'pending' | 'confirmed' | 'dismissed';
}

export class InferenceResultDto {
  @ApiProperty({ format: 'uuid' }) interaction_id: string;
  @ApiProperty() call_to_action: boolean;
  @ApiProperty({ enum: ['gemini', 'rules'] }) source: string;
  @ApiPropertyOptional({ description: 'Why the offline rules ran instead of Gemini' }) note?: string;
  @ApiProperty({ type: ActionDto, nullable: true }) action: ActionDto | null;
}
