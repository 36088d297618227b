import { ApiProperty } from '@nestjs/swagger';
import { MEMORY_ACTION_KINDS, MEMORY_TYPES } from '@mira/assistant';

/** One thing the assistant remembers, as GET /memories and the realtime `episodic_memory` event carry it. */
export class EpisodicMemoryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) network_id: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The closed conversation it was extracted from; null for a memory a voice command stored',
  })
  source_conversation_id: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The interaction that asked for it (store_memory); null otherwise',
  })
  source_interaction_id: string | null;
  @ApiProperty({ enum: MEMORY_TYPES }) memory_type: string;
  @ApiProperty({
    enum: ['active', 'expired', 'cancelled'],
    description: 'Lists and events carry active memories; an expired one leaves with the retention sweep',
  })
  status: string;
  @ApiProperty({ description: 'One standalone sentence (Gemini), or a transcript line as said (offline)' })
  canonical_text: string;
  @ApiProperty({ enum: MEMORY_ACTION_KINDS, nullable: true, type: String }) action_kind: string | null;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Persons of the network it concerns' })
  participant_person_ids: string[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) proposed_start_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) proposed_end_at: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it stops mattering (a plan: a day after it ends unless the model said otherwise)',
  })
  expires_at: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: 1,
    description: 'null when no model judged it',
  })
  confidence: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "{source: 'conversation' | 'voice_command', engine: 'gemini' | 'extractive', model?, note?}; extractive = " +
      'a transcript line picked offline, no model wrote it',
  })
  provenance: Record<string, unknown>;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Status changes, oldest first: {status, at, reason}',
  })
  transition_history: Record<string, unknown>[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}
