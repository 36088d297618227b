// TODO(realtime): replace with the account door's mappers (the apps' REST shapes) once they land on main.
import { isoUtc } from '@mira/core';
import type { Action } from '@mira/action';
import type { Conversation } from '@mira/conversation';
import type { Interaction } from '@mira/interaction';
import type { Person } from '@mira/person';

export function appInteraction(i: Interaction): object {
  return {
    id: i.id,
    text: i.content ?? '',
    timestamp: isoUtc(i.occurredAt),
    network_id: i.networkId,
    person_id: i.personId,
    conversation_id: i.conversationId,
    sentiment: null,
  };
}

export function appConversation(c: Conversation): object {
  return {
    id: c.id,
    started_at: isoUtc(c.startedAt),
    topic_summary: c.topicSummary,
    context_summary: c.contextSummary,
    is_active: c.isActive,
  };
}

export function appPerson(p: Person): object {
  return {
    id: p.id,
    name: p.name,
    index: p.index,
    network_id: p.networkId,
    created_at: isoUtc(p.createdAt),
    updated_at: isoUtc(p.updatedAt),
  };
}

export function appAction(a: Action): object {
  return {
    id: a.id,
    action_type: a.actionType,
    details: JSON.stringify(a.details),
    status: a.status,
    scheduled_time: isoUtc(a.scheduledTime),
    completed_time: isoUtc(a.completedTime),
    created_at: isoUtc(a.createdAt),
    updated_at: isoUtc(a.updatedAt),
    person_id: a.personId,
    interaction_id: a.interactionId,
    conversation_id: a.conversationId,
    network_id: a.networkId,
  };
}
