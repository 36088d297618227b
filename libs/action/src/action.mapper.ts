import { isoUtc } from '@mira/core';
import type { ActionDto } from './dto/action.dto.js';
import type { ActionEntity } from './action.entity.js';

export function toActionDto(a: ActionEntity): ActionDto {
  return {
    id: a.id,
    network_id: a.networkId,
    interaction_id: a.interactionId,
    person_id: a.personId,
    conversation_id: a.conversationId,
    action_type: a.actionType,
    details: a.details,
    status: a.status,
    scheduled_time: isoUtc(a.scheduledTime),
    completed_time: isoUtc(a.completedTime),
    source: a.source,
    created_at: isoUtc(a.createdAt),
    updated_at: isoUtc(a.updatedAt),
  };
}
