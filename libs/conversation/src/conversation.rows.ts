import type { Conversation, Participant } from './conversation.types.js';

/** The columns a Conversation is read from in the list's one statement (plain SQL, no entity hydration). */
export const CONVERSATION_COLUMNS =
  'c.id, c.network_id, c.title, c.started_at, c.ended_at, c.is_active, c.topic_summary, c.context_summary, ' +
  'c.summary_kind, c.created_at, c.updated_at';

/**
 * A conversation's participants as a JSON array of {id, name, index}, in the order they joined, for the
 * conversation `c` of the enclosing query. The persons table is read for the names answers show: one join in the
 * same statement instead of a later round trip through the person module.
 */
export const PARTICIPANTS_JSON = `COALESCE((
    SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'index', p."index") ORDER BY cp.seq)
    FROM conversation_participants cp JOIN persons p ON p.network_id = cp.network_id AND p.id = cp.person_id
    WHERE cp.network_id = c.network_id AND cp.conversation_id = c.id
  ), '[]'::json)`;

/** One row of CONVERSATION_COLUMNS and PARTICIPANTS_JSON as the driver returns it (PGlite may hand over text). */
export interface ConversationRow {
  id: string;
  network_id: string;
  title: string | null;
  started_at: Date | string;
  ended_at: Date | string | null;
  is_active: boolean;
  topic_summary: string | null;
  context_summary: string | null;
  summary_kind: 'llm' | 'extractive' | null;
  created_at: Date | string;
  updated_at: Date | string;
  participants: Participant[] | string;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    networkId: row.network_id,
    title: row.title,
    startedAt: toDate(row.started_at),
    endedAt: row.ended_at === null ? null : toDate(row.ended_at),
    isActive: row.is_active,
    topicSummary: row.topic_summary,
    contextSummary: row.context_summary,
    summaryKind: row.summary_kind,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function toParticipants(value: Participant[] | string): Participant[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as Participant[]) : value;
  return list.map((p) => ({ id: p.id, name: p.name, index: Number(p.index) }));
}
