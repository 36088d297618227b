import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type { ConversationClosedHook } from '@mira/conversation';
import { JobName, JobQueue } from '@mira/jobs';

/**
 * Every close of a conversation (the lifecycle's boundary or idle close, `is_active: false` over the API, a
 * recording's conversation once complete) writes its conversation.summarize job in the closing transaction: no
 * closed conversation is left without its summary. ConversationLifecycle runs the job.
 */
@Injectable()
export class ConversationSummaryOnClose implements ConversationClosedHook {
  constructor(private readonly jobs: JobQueue) {}

  async whileConversationCloses(tx: Tx, networkId: string, conversationId: string): Promise<void> {
    await this.jobs.enqueue(
      JobName.ConversationSummarize,
      { networkId, payload: { conversation_id: conversationId }, dedupeKey: conversationId },
      tx,
    );
  }

  afterCloseCommitted(): void {
    this.jobs.kick();
  }
}
