import { Injectable } from '@nestjs/common';
import { foreignKeyViolation, hasTombstone, leaveTombstone, Tx } from '@mira/core';
import { PersonErrors } from '@mira/person';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ConversationEntity } from './conversation.entity.js';
import {
  CONVERSATION_COLUMNS,
  ConversationRow,
  PARTICIPANTS_JSON,
  toConversation,
  toParticipants,
} from './conversation.rows.js';
import type {
  ConversationSort,
  ConversationWithParticipants,
  Participant,
  SortOrder,
} from './conversation.types.js';

export interface ConversationChanges {
  title?: string | null;
  isActive?: boolean;
  endedAt?: Date | null;
  topicSummary?: string | null;
  contextSummary?: string | null;
  summaryKind?: 'llm' | 'extractive' | null;
}

/**
 * A participant deleted between the service's check and the write: the same 404 as if the check had seen it.
 * (conversation_participants.person_id is the only foreign key a conversation write can break.)
 */
async function participantsMustExist<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (foreignKeyViolation(err) !== null) throw PersonErrors.notFound('participants');
    throw err;
  }
}

/**
 * The only place that touches conversations, conversation_participants (and conversations' tombstones); it reads the
 * participants' names from persons in the same statements (conversation.rows.ts).
 */
@Injectable()
export class ConversationRepository {
  constructor(
    @InjectRepository(ConversationEntity) private readonly conversations: Repository<ConversationEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  insert(
    networkId: string,
    values: { title: string | null; startedAt?: Date; endedAt?: Date; participants: string[] },
  ): Promise<ConversationEntity> {
    return participantsMustExist(() =>
      this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(ConversationEntity);
        const row = await repo.save(
          repo.create({
            networkId,
            title: values.title,
            ...(values.startedAt ? { startedAt: values.startedAt } : {}),
            // a conversation that already ended (a recording's) is never the network's active one
            ...(values.endedAt ? { endedAt: values.endedAt, isActive: false } : {}),
          }),
        );
        await this.addParticipants(Tx.of(manager), networkId, row.id, values.participants);
        return row;
      }),
    );
  }

  find(networkId: string, id: string): Promise<ConversationEntity | null> {
    return this.conversations.findOne({ where: { networkId, id } });
  }

  async exists(networkId: string, id: string): Promise<boolean> {
    return (await this.conversations.count({ where: { networkId, id } })) > 0;
  }

  /**
   * One page with each conversation's participants and, when asked, the total, in one statement: the page from
   * the (network_id, started_at, id) index, the participants by their primary key, the total as an index-only count.
   */
  async list(
    networkId: string,
    page: { limit: number; offset: number; sort: ConversationSort; order: SortOrder; isActive?: boolean },
    withTotal: boolean,
  ): Promise<{ rows: ConversationWithParticipants[]; total: number | null }> {
    const params: unknown[] = [networkId];
    let active = '';
    if (page.isActive !== undefined) {
      params.push(page.isActive);
      active = ` AND is_active = $${params.length}`;
    }
    const direction = page.order === 'asc' ? 'ASC' : 'DESC';
    const counted = `(SELECT count(*) FROM conversations WHERE network_id = $1${active})::int`;
    const rows = (await this.conversations.query(
      `SELECT ${CONVERSATION_COLUMNS}, ${PARTICIPANTS_JSON} AS participants${withTotal ? `, ${counted} AS total` : ''}
       FROM conversations c WHERE c.network_id = $1${active.replace('is_active', 'c.is_active')}
       ORDER BY c.${page.sort} ${direction}, c.id ${direction}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    )) as (ConversationRow & { total?: number | string })[];
    let total: number | null = null;
    if (withTotal) {
      // Past the last page no row carries the total: counted on its own (0 without an offset).
      total =
        rows[0] !== undefined
          ? Number(rows[0].total)
          : page.offset === 0
            ? 0
            : Number(
                (
                  (await this.conversations.query(`SELECT ${counted} AS n`, params)) as {
                    n: number | string;
                  }[]
                )[0]!.n,
              );
    }
    return {
      rows: rows.map((row) => ({
        conversation: toConversation(row),
        participants: toParticipants(row.participants),
      })),
      total,
    };
  }

  /** Participants per conversation (id, name, index), in the order they joined. */
  async participants(networkId: string, conversationIds: string[]): Promise<Map<string, Participant[]>> {
    const out = new Map<string, Participant[]>(conversationIds.map((id) => [id, []]));
    if (conversationIds.length === 0) return out;
    const rows = (await this.conversations.query(
      `SELECT c.id, ${PARTICIPANTS_JSON} AS participants FROM conversations c
       WHERE c.network_id = $1 AND c.id = ANY($2::uuid[])`,
      [networkId, conversationIds],
    )) as { id: string; participants: Participant[] | string }[];
    for (const row of rows) out.set(row.id, toParticipants(row.participants));
    return out;
  }

  /** Conversations each person takes part in. */
  async countByPerson(networkId: string, personIds: string[]): Promise<Map<string, number>> {
    const rows = (await this.conversations.query(
      `SELECT person_id, count(*)::int AS n FROM conversation_participants
       WHERE network_id = $1 AND person_id = ANY($2::uuid[]) GROUP BY person_id`,
      [networkId, personIds],
    )) as { person_id: string; n: number }[];
    return new Map(rows.map((r) => [r.person_id, Number(r.n)]));
  }

  /** Adds participants (already verified to be persons of the network); existing ones are left as they are. */
  async addParticipants(
    tx: Tx | null,
    networkId: string,
    conversationId: string,
    personIds: string[],
  ): Promise<void> {
    if (personIds.length === 0) return;
    await Tx.manager(tx, this.dataSource.manager).query(
      `INSERT INTO conversation_participants (network_id, conversation_id, person_id)
       SELECT $1, $2, p FROM unnest($3::uuid[]) WITH ORDINALITY AS t(p, n) ORDER BY n
       ON CONFLICT DO NOTHING`,
      [networkId, conversationId, personIds],
    );
  }

  /** Merge: the target takes the source's place in every conversation (once), inside the merge transaction. */
  async replaceParticipant(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    await Tx.manager(tx).query(
      `INSERT INTO conversation_participants (network_id, conversation_id, person_id)
       SELECT network_id, conversation_id, $3 FROM conversation_participants WHERE network_id = $1 AND person_id = $2
       ON CONFLICT DO NOTHING`,
      [networkId, sourceId, targetId],
    );
    await this.removePersonEverywhere(tx, networkId, sourceId);
  }

  async removePersonEverywhere(tx: Tx, networkId: string, personId: string): Promise<void> {
    await Tx.manager(tx).query(
      `DELETE FROM conversation_participants WHERE network_id = $1 AND person_id = $2`,
      [networkId, personId],
    );
  }

  /**
   * Applies the changes and, when given, replaces the participant list; null when the conversation is gone.
   * `alsoInTransaction` writes what must commit with the change (the hooks of a close).
   */
  update(
    networkId: string,
    id: string,
    changes: ConversationChanges,
    participants: string[] | undefined,
    alsoInTransaction?: (tx: Tx) => Promise<void>,
  ): Promise<ConversationEntity | null> {
    return participantsMustExist(() =>
      this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(ConversationEntity);
        const row = await repo.findOne({ where: { networkId, id }, lock: { mode: 'pessimistic_write' } });
        if (!row) return null;
        Object.assign(row, changes);
        if (participants !== undefined) {
          await manager.query(
            `DELETE FROM conversation_participants WHERE network_id = $1 AND conversation_id = $2
             AND NOT (person_id = ANY($3::uuid[]))`,
            [networkId, id, participants],
          );
          await this.addParticipants(Tx.of(manager), networkId, id, participants);
        }
        // save() bumps updated_at even when only the participants changed.
        row.updatedAt = new Date();
        const saved = await repo.save(row);
        await alsoInTransaction?.(Tx.of(manager));
        return saved;
      }),
    );
  }

  delete(
    networkId: string,
    id: string,
    beforeDelete: (tx: Tx, conversation: ConversationEntity) => Promise<void>,
  ): Promise<ConversationEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(ConversationEntity).findOne({
        where: { networkId, id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return null;
      await beforeDelete(Tx.of(manager), row);
      await manager.query(`DELETE FROM conversations WHERE network_id = $1 AND id = $2`, [networkId, id]);
      await leaveTombstone(manager, networkId, 'conversation', id);
      return row;
    });
  }

  wasDeleted(networkId: string, id: string): Promise<boolean> {
    return hasTombstone(this.conversations, networkId, 'conversation', id);
  }

  /** Those of `ids` that are neither a conversation of this network nor one deleted from it. */
  async neverExisted(networkId: string, ids: string[]): Promise<string[]> {
    const rows = (await this.conversations.query(
      `SELECT x.id FROM unnest($2::uuid[]) AS x(id)
       WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.network_id = $1 AND c.id = x.id)
         AND NOT EXISTS (SELECT 1 FROM tombstones t
                         WHERE t.network_id = $1 AND t.entity = 'conversation' AND t.entity_id = x.id)`,
      [networkId, ids],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
