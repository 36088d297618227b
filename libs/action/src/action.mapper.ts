import { isoUtc } from '@mira/core';
import type { ActionDto, InferenceResultDto } from './dto/action.dto.js';
import type { Action, Inference } from './action.types.js';

export function toActionDto(a: Action): ActionDto {
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

export function toInferenceResultDto(inference: Inference): InferenceResultDto {
  return {
    interaction_id: inference.interactionId,
    call_to_action: inference.callToAction,
    source: inference.source,
    ...(inference.note ? { note: inference.note } : {}),
    action: inference.action ? toActionDto(inference.action) : null,
  };
}
