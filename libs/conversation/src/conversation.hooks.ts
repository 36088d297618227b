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
 * Runs inside the transaction that closes a conversation (is_active set to false by the lifecycle or through the API;
 * for a conversation created already ended, a recording's, the one that completes it: ConversationService.closeEnded),
 * so what it writes (a job) commits with the close or not at all: a crash cannot leave a closed conversation without
 * it. Writes only with `tx`. `afterCloseCommitted` runs once the close committed (to wake a worker, say). A close may
 * be announced more than once for one conversation, so both must be idempotent.
 */
export abstract class ConversationClosedHook {
  abstract whileConversationCloses(tx: Tx, networkId: string, conversationId: string): Promise<void>;
  afterCloseCommitted?(networkId: string, conversationId: string): void;
}
