import { Injectable } from '@nestjs/common';
import {
  AppLogger,
  HookRegistry,
  type KeysetPosition,
  RealtimePublisher,
  ShutdownCoordinator,
  Transactions,
  type Tx,
} from '@mira/core';
import { ConversationService } from '@mira/conversation';
import { PersonService, personDisplayName } from '@mira/person';
import { InteractionErrors } from './interaction.errors.js';
import { InteractionPersonChangeHook } from './interaction.hooks.js';
import {
  InteractionChanges,
  InteractionFilter,
  InteractionRepository,
  InteractionSort,
  NewInteraction,
  SourceAlreadyRecorded,
} from './interaction.repository.js';
import type { Interaction, InteractionType } from './interaction.types.js';
import { InteractionEmbedder } from './semantic/interaction-embedder.js';

export interface InteractionInput {
  person_id?: string | null;
  conversation_id?: string | null;
  content?: string | null;
  interaction_type?: InteractionType;
  metadata?: Record<string, unknown>;
  occurred_at?: string;
}

/** The columns only the utterance pipeline writes (status, confidence, the audio it came from). */
export type PipelineColumns = Partial<
  Pick<
    Interaction,
    | 'personId'
    | 'conversationId'
    | 'content'
    | 'metadata'
    | 'speakerConfidence'
    | 'transcriptionStatus'
    | 'processingStatus'
  >
>;

/**
 * Whether the apps may see the interaction: the utterance pipeline is done with it (or gave up), or it never went through
 * the utterance pipeline. The shipped apps keep the first `interaction` event of an id and ignore later ones, so the first
 * must already carry the text, the person and the conversation.
 */
function isSettled(row: Interaction): boolean {
  return row.processingStatus !== 'pending' && row.processingStatus !== 'processing';
}

const UNKNOWN_SPEAKER = 'Unknown speaker';

/** One line of a conversation as language models read it. */
export interface ConversationLine {
  personId: string | null;
  speaker: string;
  text: string;
}

/**
 * Interactions of a network. Referenced persons and conversations must belong to the same network
 * (404 PERSON_NOT_FOUND / CONVERSATION_NOT_FOUND otherwise); an interaction with both joins the person to
 * the conversation's participants.
 */
@Injectable()
export class InteractionService {
  constructor(
    private readonly repository: InteractionRepository,
    private readonly persons: PersonService,
    private readonly conversations: ConversationService,
    private readonly transactions: Transactions,
    private readonly hooks: HookRegistry,
    private readonly realtime: RealtimePublisher,
    private readonly logger: AppLogger,
    private readonly embedder: InteractionEmbedder,
    private readonly shutdown: ShutdownCoordinator,
  ) {}

  /** Records an interaction from the API. */
  async create(
    networkId: string,
    input: InteractionInput & { interaction_type: InteractionType },
  ): Promise<Interaction> {
    return this.insert(networkId, input, {});
  }

  /**
   * For the utterance pipeline and the recording processor: records the interaction made from one turn of an audio
   * chunk (`system.sourceChunkId`) or of a recording (`system.sourceRecordingId`; `sourceTurn`, default 0), with the
   * columns only they write. Null when another run recorded this turn first (one interaction per turn of a source).
   */
  async recordUtterance(
    networkId: string,
    input: InteractionInput & { interaction_type: InteractionType },
    system: Partial<NewInteraction> & ({ sourceChunkId: string } | { sourceRecordingId: string }),
  ): Promise<Interaction | null> {
    try {
      return await this.insert(networkId, input, system);
    } catch (err) {
      if (err instanceof SourceAlreadyRecorded) return null;
      throw err;
    }
  }

  async get(networkId: string, id: string): Promise<Interaction> {
    const row = await this.repository.find(networkId, id);
    if (!row) throw InteractionErrors.notFound();
    return row;
  }

  /**
   * A conversation's lines, oldest first (at most `limit`), each with its speaker's display name ("Unknown speaker"
   * when nobody was identified): what summaries and memories are made from.
   */
  async conversationLines(
    networkId: string,
    conversationId: string,
    limit: number,
  ): Promise<ConversationLine[]> {
    const { items } = await this.list(networkId, { conversationId }, { limit, offset: 0, order: 'asc' });
    const personIds = [...new Set(items.map((i) => i.personId).filter((id): id is string => !!id))];
    const names = new Map(
      (await this.persons.findMany(networkId, personIds)).map((p) => [p.id, personDisplayName(p)]),
    );
    return items.map((i) => ({
      personId: i.personId,
      speaker: (i.personId && names.get(i.personId)) || UNKNOWN_SPEAKER,
      text: i.content ?? '',
    }));
  }

  /**
   * Filters naming a person or conversation of another network (or none) answer 404, like a path id; in a list of
   * conversations a deleted one selects nothing instead.
   */
  async list(
    networkId: string,
    filter: InteractionFilter,
    page: {
      limit: number;
      offset: number;
      sort?: InteractionSort;
      order?: 'asc' | 'desc';
      after?: KeysetPosition;
    },
    withTotal = false,
  ): Promise<{ items: Interaction[]; total: number | null; next: KeysetPosition | null }> {
    if (filter.personId) await this.persons.requireExisting(networkId, [filter.personId], 'person_id');
    if (filter.conversationId) {
      await this.conversations.requireExisting(networkId, filter.conversationId, 'conversation_id');
    }
    if (filter.conversationIds?.length) {
      await this.conversations.requireKnown(networkId, filter.conversationIds, 'conversation_ids');
    }
    const { rows, total, next } = await this.repository.list(
      networkId,
      filter,
      {
        limit: page.limit,
        offset: page.offset,
        sort: page.sort ?? 'occurred_at',
        order: page.order ?? 'desc',
        after: page.after,
      },
      withTotal,
    );
    return { items: rows, total, next };
  }

  async update(networkId: string, id: string, input: InteractionInput): Promise<Interaction> {
    await this.checkReferences(networkId, input.person_id ?? null, input.conversation_id ?? null);
    const before = input.person_id !== undefined ? await this.repository.find(networkId, id) : null;
    const changes: InteractionChanges = {};
    if (input.person_id !== undefined) changes.personId = input.person_id;
    if (input.conversation_id !== undefined) changes.conversationId = input.conversation_id;
    if (input.content !== undefined) changes.content = input.content;
    if (input.interaction_type !== undefined) changes.interactionType = input.interaction_type;
    if (input.metadata !== undefined) changes.metadata = input.metadata;
    if (input.occurred_at !== undefined) changes.occurredAt = new Date(input.occurred_at);
    const text = changes.content !== undefined ? 'changed' : 'untouched';
    const row = await this.write(networkId, (tx) => this.repository.update(tx, networkId, id, changes), text);
    if (!row) throw InteractionErrors.notFound();
    if (before && before.personId !== row.personId) {
      for (const hook of this.hooks.all(InteractionPersonChangeHook)) {
        await hook.afterInteractionPersonChanged(networkId, id, before.personId, row.personId);
      }
    }
    if (isSettled(row)) await this.realtime.publish(networkId, 'interaction', { id });
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

  // --- for the utterance pipeline ---------------------------------------------------------------------------

  /** The interaction made from this turn of an audio chunk, if any (the utterance pipeline's idempotency key). */
  findBySourceChunk(networkId: string, chunkId: string, turn = 0): Promise<Interaction | null> {
    return this.repository.findBySourceChunk(networkId, chunkId, turn);
  }

  /** Every interaction made from one audio chunk (one per voice heard in it), by turn. */
  turnsOfSourceChunk(networkId: string, chunkId: string): Promise<Interaction[]> {
    return this.repository.turnsOfSourceChunk(networkId, chunkId);
  }

  /** The interaction made from this turn of a recording, if any (the recording processor's idempotency key). */
  findBySourceRecording(networkId: string, recordingId: string, turn: number): Promise<Interaction | null> {
    return this.repository.findBySourceRecording(networkId, recordingId, turn);
  }

  /** Pipeline-only columns (status, confidence, content, conversation) without the public update's checks. */
  async applySystemChanges(networkId: string, id: string, changes: PipelineColumns): Promise<Interaction> {
    const text = 'content' in changes ? 'changed' : 'untouched';
    // A change that names neither person, conversation nor text has no participant or embedding to go with it: one
    // statement, no transaction.
    const alone = text === 'untouched' && !('personId' in changes) && !('conversationId' in changes);
    const row = alone
      ? await this.repository.update(null, networkId, id, changes)
      : await this.write(networkId, (tx) => this.repository.update(tx, networkId, id, changes), text);
    if (!row) throw InteractionErrors.notFound();
    const seen = ['processingStatus', 'content', 'personId', 'conversationId'].some((key) => key in changes);
    if (seen && isSettled(row)) await this.realtime.publish(networkId, 'interaction', { id });
    return row;
  }

  /** The latest interaction one device heard in [since, before) (the speaker context of its next utterance). */
  latestFromClient(
    networkId: string,
    clientId: string,
    since: Date,
    before: Date,
  ): Promise<Interaction | null> {
    return this.repository.latestFromClient(networkId, clientId, since, before);
  }

  /** The most recent interaction (by occurred_at) of a conversation. */
  latestInConversation(networkId: string, conversationId: string): Promise<Interaction | null> {
    return this.repository.latestInConversation(networkId, conversationId);
  }

  private async insert(
    networkId: string,
    input: InteractionInput & { interaction_type: InteractionType },
    system: Partial<NewInteraction>,
  ): Promise<Interaction> {
    const personId = input.person_id ?? null;
    const conversationId = input.conversation_id ?? null;
    await this.checkReferences(networkId, personId, conversationId);
    const values = {
      personId,
      conversationId,
      content: input.content ?? null,
      interactionType: input.interaction_type,
      metadata: input.metadata ?? {},
      ...(input.occurred_at ? { occurredAt: new Date(input.occurred_at) } : {}),
      ...system,
    };
    // A row naming no person in a conversation is one INSERT, atomic by itself: no transaction round trips. Its
    // embedding job follows the insert (a crash between them leaves it to the next start's backfill).
    let row: Interaction;
    if (personId && conversationId) {
      row = await this.write(networkId, (tx) => this.repository.insert(tx, networkId, values), 'new');
    } else {
      row = await this.repository.insert(null, networkId, values);
      if (await this.embedder.textWritten(null, networkId, row.id, row.content, false)) this.embedder.kick();
    }
    this.logger.info('interaction_created', { network_id: networkId, interaction_id: row.id });
    if (isSettled(row)) this.announceCreated(networkId, row.id);
    return row;
  }

  /**
   * The apps hear of a new interaction without the answer waiting for it: the row is committed, and the notice's
   * own round trip (queued behind the notices already leaving) would otherwise be part of every create's latency.
   * The publisher never throws; the notice is tracked work, so a graceful stop sends it before the database closes.
   */
  private announceCreated(networkId: string, id: string): void {
    void this.shutdown.run('realtime-notice', () => this.realtime.publish(networkId, 'interaction', { id }));
  }

  /**
   * One transaction: the write, the person joining the conversation's participants when it names both, and (for a
   * new row or a changed text) the embedding job of its text, the old text's vector dropped.
   */
  private async write<T extends Interaction | null>(
    networkId: string,
    work: (tx: Tx) => Promise<T>,
    text: 'new' | 'changed' | 'untouched',
  ): Promise<T> {
    let embedding = false;
    const written = await this.transactions.run(async (tx) => {
      const row = await work(tx);
      if (row?.personId && row.conversationId) {
        await this.conversations.addParticipants(networkId, row.conversationId, [row.personId], tx);
      }
      if (row && text !== 'untouched') {
        embedding = await this.embedder.textWritten(tx, networkId, row.id, row.content, text === 'changed');
      }
      return row;
    });
    if (embedding) this.embedder.kick();
    return written;
  }

  private async checkReferences(networkId: string, personId: string | null, conversationId: string | null) {
    if (personId) await this.persons.requireExisting(networkId, [personId], 'person_id');
    if (conversationId)
      await this.conversations.requireExisting(networkId, conversationId, 'conversation_id');
  }
}
