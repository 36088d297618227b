import { isoUtc } from '@mira/core';
import type { EpisodicMemoryDto } from './dto/memory.dto.js';
import type { EpisodicMemory } from './memory.types.js';

export function toMemoryDto(m: EpisodicMemory): EpisodicMemoryDto {
  return {
    id: m.id,
    network_id: m.networkId,
    source_conversation_id: m.sourceConversationId,
    source_interaction_id: m.sourceInteractionId,
    memory_type: m.memoryType,
    status: m.status,
    canonical_text: m.canonicalText,
    action_kind: m.actionKind,
    participant_person_ids: m.participantPersonIds,
    proposed_start_at: isoUtc(m.proposedStartAt),
    proposed_end_at: isoUtc(m.proposedEndAt),
    expires_at: isoUtc(m.expiresAt),
    confidence: m.confidence,
    provenance: { ...m.provenance },
    transition_history: m.transitionHistory.map((t) => ({ ...t })),
    created_at: isoUtc(m.createdAt),
    updated_at: isoUtc(m.updatedAt),
  };
}
