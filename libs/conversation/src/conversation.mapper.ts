import { isoUtc } from '@mira/core';
import { personDisplayName } from '@mira/person';
import { ConversationDto, ConversationV2Dto } from './dto/conversation.dto.js';
import type { ConversationRecord } from './conversation.types.js';

export function toConversationDto({
  conversation: c,
  participants,
  stats,
}: ConversationRecord): ConversationDto {
  return {
    id: c.id,
    network_id: c.networkId,
    title: c.title,
    participants,
    interaction_count: stats.interaction_count,
    started_at: isoUtc(c.startedAt),
    ended_at: isoUtc(c.endedAt),
    is_active: c.isActive,
    topic_summary: c.topicSummary,
    context_summary: c.contextSummary,
    created_at: isoUtc(c.createdAt),
    updated_at: isoUtc(c.updatedAt),
  };
}

export function toConversationV2Dto(record: ConversationRecord): ConversationV2Dto {
  const c = record.conversation;
  return {
    ...toConversationDto(record),
    participant_details: record.participantDetails.map((p) => ({
      id: p.id,
      name: p.name,
      index: p.index,
      display_name: personDisplayName(p),
    })),
    summary_kind: c.summaryKind,
    last_interaction_at: isoUtc(record.stats.last_interaction_at),
    duration_seconds: c.endedAt
      ? Math.max(0, Math.round((c.endedAt.getTime() - c.startedAt.getTime()) / 1000))
      : null,
  };
}
