import { Injectable } from '@nestjs/common';
import { AppLogger, HookRegistry, RealtimePublisher, type Tx } from '@mira/core';
import { PersonService } from '@mira/person';
import { ConversationErrors } from './conversation.errors.js';
import {
  ConversationClosedHook,
  ConversationDeletionHook,
  ConversationStatsProvider,
} from './conversation.hooks.js';
import { ConversationChanges, ConversationRepository } from './conversation.repository.js';
import type {
  Conversation,
  ConversationRecord,
  ConversationSort,
  ConversationStats,
  ConversationWithParticipants,
  SortOrder,
} from './conversation.types.js';

export interface ConversationUpdate {
  title?: string | null;
  participants?: string[];
  is_active?: boolean;
  topic_summary?: string | null;
  context_summary?: string | null;
}

/**
 * Conversations and their participants, scoped by network; another network's id is a 404 like a missing one.
 * Which conversation an utterance belongs to, and when one closes and is summarised, is decided by
 * ConversationLifecycle (@mira/utterance), because it reads interactions.
 */
@Injectable()
export class ConversationService {
  constructor(
    private readonly repository: ConversationRepository,
    private readonly persons: PersonService,
    private readonly hooks: HookRegistry,
    private readonly realtime: RealtimePublisher,
    private readonly logger: AppLogger,
  ) {}

  async create(
    networkId: string,
    input: { title: string | null; participants: string[]; startedAt?: Date; endedAt?: Date },
  ): Promise<ConversationRecord> {
    await this.persons.requireExisting(networkId, input.participants, 'participants');
    const row = await this.repository.insert(networkId, input);
    this.logger.info('conversation_created', { network_id: networkId, conversation_id: row.id });
    await this.realtime.publish(networkId, 'conversation', { id: row.id });
    return (await this.enrich(networkId, [row]))[0]!;
  }

  async get(networkId: string, id: string): Promise<ConversationRecord> {
    const row = await this.repository.find(networkId, id);
    if (!row) throw ConversationErrors.notFound();
    return (await this.enrich(networkId, [row]))[0]!;
  }

  async list(
    networkId: string,
    page: { limit: number; offset: number; sort?: ConversationSort; order?: SortOrder; isActive?: boolean },
    withTotal = false,
  ): Promise<{ items: ConversationRecord[]; total: number | null }> {
    const { rows, total } = await this.repository.list(
      networkId,
      {
        limit: page.limit,
        offset: page.offset,
        sort: page.sort ?? 'started_at',
        order: page.order ?? 'desc',
        isActive: page.isActive,
      },
      withTotal,
    );
    return { items: await this.withStats(networkId, rows), total };
  }

  async update(networkId: string, id: string, input: ConversationUpdate): Promise<ConversationRecord> {
    if (input.participants !== undefined) {
      await this.persons.requireExisting(networkId, input.participants, 'participants');
    }
    const changes: ConversationChanges = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.topic_summary !== undefined) changes.topicSummary = input.topic_summary;
    if (input.context_summary !== undefined) changes.contextSummary = input.context_summary;
    // a summary written by a person is no model's: summary_kind null, and the summary job leaves it
    if (input.topic_summary !== undefined || input.context_summary !== undefined) changes.summaryKind = null;
    if (input.is_active !== undefined) {
      changes.isActive = input.is_active;
      changes.endedAt = input.is_active ? null : new Date();
    }
    const row = await this.repository.update(
      networkId,
      id,
      changes,
      input.participants,
      this.closeHooks(networkId, id, changes),
    );
    if (!row) throw ConversationErrors.notFound();
    await this.realtime.publish(networkId, 'conversation', { id });
    if (changes.isActive === false) this.announceClosed(networkId, id);
    return (await this.enrich(networkId, [row]))[0]!;
  }

  /**
   * Deletes a conversation and its interactions (the interaction module's hook removes them in the same
   * transaction and leaves tombstones, so deleting one of those interactions afterwards answers 204).
   * Repeating the delete answers the same; an id that never existed in this network is a 404.
   */
  async delete(networkId: string, id: string): Promise<void> {
    const deleted = await this.repository.delete(networkId, id, async (tx, conversation) => {
      for (const hook of this.hooks.all(ConversationDeletionHook)) {
        await hook.beforeConversationDeleted(tx, conversation);
      }
    });
    if (deleted) {
      this.logger.info('conversation_deleted', { network_id: networkId, conversation_id: id });
      return;
    }
    if (!(await this.repository.wasDeleted(networkId, id))) throw ConversationErrors.notFound();
  }

  /** Throws CONVERSATION_NOT_FOUND (naming the field) unless the id is a conversation of this network. */
  async requireExisting(networkId: string, id: string, field: string): Promise<void> {
    if (!(await this.repository.exists(networkId, id))) throw ConversationErrors.notFound(field);
  }

  /**
   * Throws CONVERSATION_NOT_FOUND (naming the field) unless every id is a conversation of this network or one
   * deleted from it: a filter over several conversations may name one that another device just deleted.
   */
  async requireKnown(networkId: string, ids: string[], field: string): Promise<void> {
    if ((await this.repository.neverExisted(networkId, ids)).length > 0)
      throw ConversationErrors.notFound(field);
  }

  /** For the utterance pipeline and interactions: adds persons (of this network) to a conversation; idempotent. */
  addParticipants(
    networkId: string,
    conversationId: string,
    personIds: string[],
    tx: Tx | null = null,
  ): Promise<void> {
    return this.repository.addParticipants(tx, networkId, conversationId, personIds);
  }

  /** For the utterance pipeline: closes (with the closed hooks, in the closing transaction) or updates summaries. */
  async applySystemChanges(networkId: string, id: string, changes: ConversationChanges): Promise<void> {
    const row = await this.repository.update(
      networkId,
      id,
      changes,
      undefined,
      this.closeHooks(networkId, id, changes),
    );
    if (!row) throw ConversationErrors.notFound();
    await this.realtime.publish(networkId, 'conversation', { id });
    if (changes.isActive === false) this.announceClosed(networkId, id);
  }

  /** For changes that close the conversation: the closed hooks, to run in the closing transaction. */
  private closeHooks(
    networkId: string,
    id: string,
    changes: ConversationChanges,
  ): ((tx: Tx) => Promise<void>) | undefined {
    if (changes.isActive !== false) return undefined;
    return async (tx) => {
      for (const hook of this.hooks.all(ConversationClosedHook))
        await hook.whileConversationCloses(tx, networkId, id);
    };
  }

  /**
   * For a conversation made already ended (a recording's: created closed, so never the network's active one), once
   * all its interactions are written: what closing a conversation does (the closed hooks, e.g. its memories job),
   * inside the caller's transaction so that it commits with the caller's own record of the end. Call
   * `announceClosed` once that transaction has committed.
   */
  async closeEnded(tx: Tx, networkId: string, id: string): Promise<void> {
    for (const hook of this.hooks.all(ConversationClosedHook))
      await hook.whileConversationCloses(tx, networkId, id);
  }

  /** The closed hooks' after-commit step (waking the workers of the jobs they enqueued). */
  announceClosed(networkId: string, id: string): void {
    for (const hook of this.hooks.all(ConversationClosedHook)) hook.afterCloseCommitted?.(networkId, id);
  }

  /** Participants (read here) and the other domains' figures for conversations read without them. */
  private async enrich(networkId: string, rows: Conversation[]): Promise<ConversationRecord[]> {
    const ids = rows.map((r) => r.id);
    const [participants, records] = await Promise.all([
      this.repository.participants(networkId, ids),
      this.withStats(
        networkId,
        rows.map((conversation) => ({ conversation, participants: [] })),
      ),
    ]);
    return records.map((r) => {
      const details = participants.get(r.conversation.id) ?? [];
      return { ...r, participants: details.map((p) => p.id), participantDetails: details };
    });
  }

  /**
   * The figures other domains contribute (interaction_count, last_interaction_at), one statement per provider for
   * all the conversations at once.
   */
  private async withStats(
    networkId: string,
    rows: ConversationWithParticipants[],
  ): Promise<ConversationRecord[]> {
    const ids = rows.map((r) => r.conversation.id);
    const stats = new Map<string, ConversationStats>(
      ids.map((id) => [id, { interaction_count: 0, last_interaction_at: null }]),
    );
    const parts =
      ids.length > 0
        ? await Promise.all(
            this.hooks.all(ConversationStatsProvider).map((p) => p.conversationStats(networkId, ids)),
          )
        : [];
    for (const part of parts) {
      for (const [id, values] of part) Object.assign(stats.get(id) ?? {}, values);
    }
    return rows.map(({ conversation, participants }) => ({
      conversation,
      participants: participants.map((p) => p.id),
      participantDetails: participants,
      stats: stats.get(conversation.id)!,
    }));
  }
}
