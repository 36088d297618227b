import type { Tx } from '@mira/core';
import type { Conversation, ConversationStats } from './conversation.types.js';

/*
 * What other domains do for conversations. A module provides these with `provideHook(ConversationDeletionHook, Impl)`
 * (@mira/core) in its providers; ConversationService runs every one provided.
 */

/** Figures another domain contributes to a conversation's response (interaction_count, last_interaction_at). */
export abstract class ConversationStatsProvider {
  abstract conversationStats(
    networkId: string,
    conversationIds: string[],
  ): Promise<Map<string, Partial<ConversationStats>>>;
}

/** Runs inside the conversation's delete transaction, before the row goes; writes only with `tx`. */
export abstract class ConversationDeletionHook {
  abstract beforeConversationDeleted(tx: Tx, conversation: Conversation): Promise<void>;
}

/**
 * Runs after a conversation was closed (is_active set to false by the lifecycle or through the API), outside any
 * transaction; may run more than once for one conversation, so it must be idempotent.
 */
export abstract class ConversationClosedHook {
  abstract afterConversationClosed(networkId: string, conversationId: string): Promise<void>;
}
