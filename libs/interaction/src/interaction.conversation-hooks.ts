import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type {
  Conversation,
  ConversationDeletionHook,
  ConversationStats,
  ConversationStatsProvider,
} from '@mira/conversation';
import { InteractionRepository } from './interaction.repository.js';

/** Interactions counted per conversation, and deleted (tombstoned) with their conversation. */
@Injectable()
export class InteractionConversationHooks implements ConversationStatsProvider, ConversationDeletionHook {
  constructor(private readonly repository: InteractionRepository) {}

  async conversationStats(
    networkId: string,
    conversationIds: string[],
  ): Promise<Map<string, Partial<ConversationStats>>> {
    const stats = await this.repository.statsBy('conversation_id', networkId, conversationIds);
    return new Map(
      [...stats].map(([id, s]) => [id, { interaction_count: s.count, last_interaction_at: s.last }]),
    );
  }

  beforeConversationDeleted(tx: Tx, conversation: Conversation): Promise<void> {
    return this.repository.deleteByConversation(tx, conversation.networkId, conversation.id);
  }
}
