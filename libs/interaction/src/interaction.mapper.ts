import { isoUtc } from '@mira/core';
import { InteractionDto, InteractionV2Dto } from './dto/interaction.dto.js';
import type { Interaction } from './interaction.types.js';

export function toInteractionDto(i: Interaction): InteractionDto {
  return {
    id: i.id,
    network_id: i.networkId,
    person_id: i.personId,
    conversation_id: i.conversationId,
    content: i.content,
    interaction_type: i.interactionType,
    metadata: i.metadata ?? {},
    occurred_at: isoUtc(i.occurredAt),
    created_at: isoUtc(i.createdAt),
    updated_at: isoUtc(i.updatedAt),
  };
}

export function toInteractionV2Dto(i: Interaction): InteractionV2Dto {
  return {
    ...toInteractionDto(i),
    speaker_confidence: i.speakerConfidence,
    transcription_status: i.transcriptionStatus,
    processing_status: i.processingStatus,
    source_stream_id: i.sourceStreamId,
    source_chunk_id: i.sourceChunkId,
    source_recording_id: i.sourceRecordingId,
    source_turn: i.sourceTurn,
  };
}
