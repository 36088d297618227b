import { Injectable, OnModuleInit } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppLogger } from '@mira/core';
import { ConversationErrors, ConversationService } from '@mira/conversation';
import { PersonErrors, PersonService } from '@mira/person';
import { InteractionEntity, InteractionType } from './interaction.entity.js';
import { InteractionErrors } from './interaction.errors.js';
import {
  InteractionFilter,
  InteractionRepository,
  InteractionSort,
  NewInteraction,
} from './interaction.repository.js';

/**
 * Called after an interaction's person was changed through the API (a correction), outside any transaction.
 * The recognition module uses it so that a corrected utterance never keeps feeding a voiceprint.
 */
export type InteractionPersonChangeHook = (
  networkId: string,
  interactionId: string,
  previousPersonId: string | null,
  personId: string | null,
) => Promise<void>;

export interface InteractionInput {
  person_id?: string | null;
  conversation_id?: string | null;
  content?: string | null;
  interaction_type?: InteractionType;
  metadata?: Record<string, unknown>;
  occurred_at?: string;
}

function foreignKeyConstraint(err: unknown): string | null {
  if (!(err instanceof QueryFailedError)) return null;
  const driver = err.driverError as { code?: string; constraint?: string; detail?: string } | undefined;
  if (driver?.code !== '23503') return null;
  return `${driver.constraint ?? ''} ${driver.detail ?? ''}`;
}

/**
 * Interactions of a network. Referenced persons and conversations must belong to the same network
 * (404 PERSON_NOT_FOUND / CONVERSATION_NOT_FOUND otherwise); an interaction with both joins the person to
 * the conversation's participants.
 */
@Injectable()
export class InteractionService implements OnModuleInit {
  private readonly personChangeHooks: InteractionPersonChangeHook[] = [];

  constructor(
    private readonly repository: InteractionRepository,
    private readonly persons: PersonService,
    private readonly conversations: ConversationService,
    private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    this.persons.registerStatsProvider(
      async (networkId, ids) => {
        const stats = await this.repository.statsBy('person_id', networkId, ids);
        return new Map(
          [...stats].map(([id, s]) => [id, { interaction_count: s.count, last_interaction_at: s.last }]),
        );
      },
      ['interaction_count', 'last_interaction_at'],
    );
    this.persons.registerDeletionHook((manager, person) =>
      this.repository.detachPerson(manager, person.networkId, person),
    );
    this.persons.registerMergeHook((manager, networkId, sourceId, targetId) =>
      this.repository.reassignPerson(manager, networkId, sourceId, targetId),
    );
    this.conversations.registerStatsProvider(async (networkId, ids) => {
      const stats = await this.repository.statsBy('conversation_id', networkId, ids);
      return new Map(
        [...stats].map(([id, s]) => [id, { interaction_count: s.count, last_interaction_at: s.last }]),
      );
    });
    this.conversations.registerDeletionHook((manager, conversation) =>
      this.repository.deleteByConversation(manager, conversation.networkId, conversation.id),
    );
  }

  /** Records an interaction (API or pipeline). Pipeline-only columns may be passed in `system`. */
  async create(
    networkId: string,
    input: InteractionInput & { interaction_type: InteractionType },
    system: Partial<NewInteraction> = {},
  ): Promise<InteractionEntity> {
    const personId = input.person_id ?? null;
    const conversationId = input.conversation_id ?? null;
    await this.checkReferences(networkId, personId, conversationId);
    const row = await this.withReferenceErrors(() =>
      this.repository.transaction(async (manager) => {
        const inserted = await this.repository.insert(manager, networkId, {
          personId,
          conversationId,
          content: input.content ?? null,
          interactionType: input.interaction_type,
          metadata: input.metadata ?? {},
          ...(input.occurred_at ? { occurredAt: new Date(input.occurred_at) } : {}),
          ...system,
        });
        if (personId && conversationId) {
          await this.conversations.addParticipants(networkId, conversationId, [personId], manager);
        }
        return inserted;
      }),
    );
    this.logger.info('interaction_created', { network_id: networkId, interaction_id: row.id });
    return row;
  }

  async get(networkId: string, id: string): Promise<InteractionEntity> {
    const row = await this.repository.find(networkId, id);
    if (!row) throw InteractionErrors.notFound();
    return row;
  }

  /** Filters naming a person or conversation of another network (or none) answer 404, like a path id. */
  async list(
    networkId: string,
    filter: InteractionFilter,
    page: { limit: number; offset: number; sort?: InteractionSort; order?: 'asc' | 'desc' },
    withTotal = false,
  ): Promise<{ items: InteractionEntity[]; total: number | null }> {
    if (filter.personId) await this.persons.requireExisting(networkId, [filter.personId], 'person_id');
    if (filter.conversationId) {
      await this.conversations.requireExisting(networkId, filter.conversationId, 'conversation_id');
    }
    const { rows, total } = await this.repository.list(
      networkId,
      filter,
      {
        limit: page.limit,
        offset: page.offset,
        sort: page.sort ?? 'occurred_at',
        order: page.order ?? 'desc',
      },
      withTotal,
    );
    return { items: rows, total };
  }

  async update(networkId: string, id: string, input: InteractionInput): Promise<InteractionEntity> {
    await this.checkReferences(networkId, input.person_id ?? null, input.conversation_id ?? null);
    const before = input.person_id !== undefined ? await this.repository.find(networkId, id) : null;
    const changes: Partial<InteractionEntity> = {};
    if (input.person_id !== undefined) changes.personId = input.person_id;
    if (input.conversation_id !== undefined) changes.conversationId = input.conversation_id;
    if (input.content !== undefined) changes.content = input.content;
    if (input.interaction_type !== undefined) changes.interactionType = input.interaction_type;
    if (input.metadata !== undefined) changes.metadata = input.metadata;
    if (input.occurred_at !== undefined) changes.occurredAt = new Date(input.occurred_at);
    const row = await this.withReferenceErrors(() =>
      this.repository.transaction(async (manager) => {
        const updated = await this.repository.update(manager, networkId, id, changes);
        if (updated?.personId && updated.conversationId) {
          await this.conversations.addParticipants(
            networkId,
            updated.conversationId,
            [updated.personId],
            manager,
          );
        }
        return updated;
      }),
    );
    if (!row) throw InteractionErrors.notFound();
    if (before && before.personId !== row.personId) {
      for (const hook of this.personChangeHooks) await hook(networkId, id, before.personId, row.personId);
    }
    return row;
  }

  /** Repeating the delete answers the same (also after its conversation was deleted); unknown ids are 404. */
  async delete(networkId: string, id: string): Promise<void> {
    if (await this.repository.delete(networkId, id)) {
      this.logger.info('interaction_deleted', { network_id: networkId, interaction_id: id });
      return;
    }
    if (!(await this.repository.wasDeleted(networkId, id))) throw InteractionErrors.notFound();
  }

  private async checkReferences(networkId: string, personId: string | null, conversationId: string | null) {
    if (personId) await this.persons.requireExisting(networkId, [personId], 'person_id');
    if (conversationId)
      await this.conversations.requireExisting(networkId, conversationId, 'conversation_id');
  }

  /** A person or conversation deleted between the check and the write: the same 404 as if checked after. */
  private async withReferenceErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const constraint = foreignKeyConstraint(err);
      if (constraint === null) throw err;
      if (constraint.includes('person')) throw PersonErrors.notFound('person_id');
      throw ConversationErrors.notFound('conversation_id');
    }
  }

  // --- for the recognition pipeline -------------------------------------------------------------------------

  registerPersonChangeHook(hook: InteractionPersonChangeHook): void {
    this.personChangeHooks.push(hook);
  }

  /** The interaction made from this audio chunk, if any (the pipeline's idempotency key). */
  findBySourceChunk(networkId: string, chunkId: string): Promise<InteractionEntity | null> {
    return this.repository.findBySourceChunk(networkId, chunkId);
  }

  /** Pipeline-only columns (status, confidence, content, conversation) without the public update's checks. */
  async applySystemChanges(
    networkId: string,
    id: string,
    changes: Partial<
      Pick<
        InteractionEntity,
        | 'personId'
        | 'conversationId'
        | 'content'
        | 'metadata'
        | 'speakerConfidence'
        | 'transcriptionStatus'
        | 'processingStatus'
      >
    >,
  ): Promise<InteractionEntity> {
    const row = await this.repository.transaction(async (manager) => {
      const updated = await this.repository.update(manager, networkId, id, changes);
      if (updated?.personId && updated.conversationId) {
        await this.conversations.addParticipants(
          networkId,
          updated.conversationId,
          [updated.personId],
          manager,
        );
      }
      return updated;
    });
    if (!row) throw InteractionErrors.notFound();
    return row;
  }

  /** The most recent interaction (by occurred_at) of a conversation. */
  latestInConversation(networkId: string, conversationId: string): Promise<InteractionEntity | null> {
    return this.repository.latestInConversation(networkId, conversationId);
  }
}
