import { Injectable } from '@nestjs/common';
import { Summarizer } from '@mira/assistant';
import { AppConfig, AppLogger } from '@mira/core';
import { ConversationService } from '@mira/conversation';
import { InteractionService } from '@mira/interaction';
import { JobName, type JobOf, JobQueue, OnJob } from '@mira/jobs';
import { NetworkService } from '@mira/network';
import { decideConversation, GroupingPolicy, resolveGroupingPolicy } from './conversation-policy.js';

const SUMMARY_MAX_LINES = 200;

/**
 * The conversation lifecycle: puts each new utterance into a conversation (gap / speaker-change policy), keeps
 * participants current, closes conversations (on a boundary, or when idle past the gap: the
 * conversation.close_idle job) and has them summarised (the conversation.summarize job). It lives here, above
 * @mira/conversation, because it reads interactions. Assignment is serialised per network inside this process; the
 * job queue's per-chunk dedupe keeps one utterance from being assigned twice.
 */
@Injectable()
export class ConversationLifecycle {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly conversations: ConversationService,
    private readonly interactions: InteractionService,
    private readonly networks: NetworkService,
    private readonly summarizer: Summarizer,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  async policy(networkId: string): Promise<GroupingPolicy> {
    return resolveGroupingPolicy(this.config.values.conversations, await this.networks.settings(networkId));
  }

  /** Assigns the interaction to the active conversation or a new one; returns the conversation id. */
  assign(networkId: string, interactionId: string): Promise<string> {
    const previous = this.locks.get(networkId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.assignLocked(networkId, interactionId));
    this.locks.set(networkId, run);
    run
      .finally(() => {
        if (this.locks.get(networkId) === run) this.locks.delete(networkId);
      })
      .catch(() => undefined); // the caller handles run's own rejection

    return run;
  }

  private async assignLocked(networkId: string, interactionId: string): Promise<string> {
    const interaction = await this.interactions.get(networkId, interactionId);
    if (interaction.conversationId) return interaction.conversationId;
    const policy = await this.policy(networkId);
    const active = (await this.conversations.list(networkId, { limit: 1, offset: 0, isActive: true }))
      .items[0];
    const last = active
      ? await this.interactions.latestInConversation(networkId, active.conversation.id)
      : null;
    const decision = decideConversation(
      active && last
        ? { occurredAt: last.occurredAt, personId: last.personId, conversationId: active.conversation.id }
        : null,
      { occurredAt: interaction.occurredAt, personId: interaction.personId },
      policy,
    );
    let conversationId: string;
    if (decision.kind === 'continue') {
      conversationId = decision.conversationId;
    } else {
      // Close every conversation still marked active (normally the one above), then open a new one.
      const stillActive = (await this.conversations.list(networkId, { limit: 50, offset: 0, isActive: true }))
        .items;
      for (const record of stillActive) await this.close(networkId, record.conversation.id);
      const created = await this.conversations.create(networkId, {
        title: null,
        participants: interaction.personId ? [interaction.personId] : [],
        startedAt: interaction.occurredAt,
      });
      conversationId = created.conversation.id;
      this.logger.info('conversation_started', {
        network_id: networkId,
        conversation_id: conversationId,
        reason: decision.reason,
      });
    }
    await this.interactions.applySystemChanges(networkId, interactionId, { conversationId });
    // Closes the conversation once nobody has spoken for the gap (checked again when the job runs).
    await this.jobs.enqueue(JobName.ConversationCloseIdle, {
      networkId,
      payload: { conversation_id: conversationId },
      dedupeKey: `${conversationId}:${interactionId}`,
      runAt: new Date(Date.now() + (policy.gapSeconds + 1) * 1000),
    });
    return conversationId;
  }

  /** Closes the conversation; its closed hooks write its summary and memories jobs in the same transaction. */
  private async close(networkId: string, conversationId: string): Promise<void> {
    await this.conversations.applySystemChanges(networkId, conversationId, {
      isActive: false,
      endedAt: new Date(),
    });
    this.logger.info('conversation_closed', { network_id: networkId, conversation_id: conversationId });
  }

  @OnJob(JobName.ConversationCloseIdle)
  async onCloseIdleJob(job: JobOf<JobName.ConversationCloseIdle>): Promise<void> {
    await this.closeIfIdle(job.networkId, job.payload.conversation_id);
  }

  @OnJob(JobName.ConversationSummarize)
  async onSummarizeJob(job: JobOf<JobName.ConversationSummarize>): Promise<void> {
    await this.summarize(job.networkId, job.payload.conversation_id, job.finalAttempt);
  }

  /** Idle check: closes the conversation when its last interaction is older than the gap (server clock). */
  async closeIfIdle(networkId: string, conversationId: string): Promise<void> {
    const record = await this.conversations.get(networkId, conversationId).catch(() => null);
    if (!record || !record.conversation.isActive) return;
    const policy = await this.policy(networkId);
    const last = await this.interactions.latestInConversation(networkId, conversationId);
    const lastAt = last ? Math.max(last.createdAt.getTime(), last.occurredAt.getTime()) : 0;
    if (Date.now() - lastAt < policy.gapSeconds * 1000) return;
    await this.close(networkId, conversationId);
  }

  /**
   * topic_summary + context_summary: Gemini, or extractive (summary_kind says which). Summaries a person wrote over
   * the API (summary_kind null) are theirs: the job leaves them.
   */
  async summarize(networkId: string, conversationId: string, finalAttempt: boolean): Promise<void> {
    const record = await this.conversations.get(networkId, conversationId).catch(() => null);
    if (!record) return;
    const { topicSummary, contextSummary, summaryKind } = record.conversation;
    if (summaryKind === null && (topicSummary !== null || contextSummary !== null)) {
      this.logger.info('conversation_summary_kept', {
        network_id: networkId,
        conversation_id: conversationId,
      });
      return;
    }
    const lines = await this.interactions.conversationLines(networkId, conversationId, SUMMARY_MAX_LINES);
    const summary = await this.summarizer.summarize(lines, { finalAttempt });
    await this.conversations.applySystemChanges(networkId, conversationId, {
      topicSummary: summary.topic_summary,
      contextSummary: summary.context_summary,
      summaryKind: summary.kind,
    });
    this.logger.info('conversation_summarized', {
      network_id: networkId,
      conversation_id: conversationId,
      summary_kind: summary.kind,
      lines: lines.length,
    });
  }
}
