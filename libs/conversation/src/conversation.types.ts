import type { EntityManager } from 'typeorm';
import type { ConversationEntity } from './conversation.entity.js';

export type ConversationSort = 'started_at' | 'created_at' | 'updated_at';
export type SortOrder = 'asc' | 'desc';

/** Figures other domains contribute to a conversation's response. */
export interface ConversationStats {
  interaction_count: number;
  last_interaction_at: Date | null;
}

export type ConversationStatsProvider = (
  networkId: string,
  conversationIds: string[],
) => Promise<Map<string, Partial<ConversationStats>>>;

/** Runs inside the conversation's delete transaction, with that transaction's manager (use nothing else). */
export type ConversationDeletionHook = (
  manager: EntityManager,
  conversation: ConversationEntity,
) => Promise<void>;

export interface ConversationRecord {
  conversation: ConversationEntity;
  participants: string[];
  stats: ConversationStats;
}
