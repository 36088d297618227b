/** A group of interactions close in time. Created by users (with a title) or by the utterance pipeline (title null). */
export interface Conversation {
  id: string;
  networkId: string;
  title: string | null;
  startedAt: Date;
  endedAt: Date | null;
  isActive: boolean;
  topicSummary: string | null;
  contextSummary: string | null;
  /** How the summaries were made: 'llm' or 'extractive' (null while none exists). */
  summaryKind: 'llm' | 'extractive' | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ConversationSort = 'started_at' | 'created_at' | 'updated_at';
export type SortOrder = 'asc' | 'desc';

/** Figures other domains contribute to a conversation's response. */
export interface ConversationStats {
  interaction_count: number;
  last_interaction_at: Date | null;
}

/** A participant as answers name them. */
export interface Participant {
  id: string;
  name: string | null;
  index: number;
}

/** A conversation with its participants (in the order they joined). */
export interface ConversationWithParticipants {
  conversation: Conversation;
  participants: Participant[];
}

export interface ConversationRecord {
  conversation: Conversation;
  /** Participant ids, in the order they joined. */
  participants: string[];
  participantDetails: Participant[];
  stats: ConversationStats;
}
