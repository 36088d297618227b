import { Injectable } from '@nestjs/common';
import { ConversationErrors } from '@mira/conversation';
import { foreignKeyViolation, hasTombstone, isUniqueViolation, type KeysetPosition, Tx } from '@mira/core';
import { PersonErrors } from '@mira/person';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { InteractionEntity } from './interaction.entity.js';
import {
  INSERTABLE,
  INTERACTION_COLUMNS,
  type InteractionChanges,
  type InteractionRow,
  type NewInteraction,
  toInteraction,
} from './interaction.rows.js';
import { InteractionFilter, InteractionPage, interactionListSql } from './interaction-list.sql.js';
import { searchLanguageSql } from './search/search-text.js';
import type { Interaction } from './interaction.types.js';

export type { InteractionFilter, InteractionPage, InteractionSort } from './interaction-list.sql.js';

export type { InteractionChanges, NewInteraction } from './interaction.rows.js';

/**
 * A person or conversation deleted between the service's check and this write: the same 404 as if the check had
 * seen it.
 */
function referenceErrorOf(err: unknown): unknown {
  const constraint = foreignKeyViolation(err);
  if (constraint === null) return err;
  if (constraint.includes('person')) return PersonErrors.notFound('person_id');
  return ConversationErrors.notFound('conversation_id');
}

/**
 * This turn of its source chunk or recording already has its interaction (unique per network): another run
 * recorded it.
 */
export class SourceAlreadyRecorded extends Error {
  constructor() {
    super('This turn of its source audio already has its interaction');
    this.name = 'SourceAlreadyRecorded';
  }
}

/** The only place that touches the interactions table (and interactions' tombstones). */
@Injectable()
export class InteractionRepository {
  constructor(
    @InjectRepository(InteractionEntity) private readonly interactions: Repository<InteractionEntity>,
  ) {}

  /**
   * Inserts in the caller's transaction, or on its own (one INSERT … RETURNING, no BEGIN/COMMIT) without one. Without
   * a searchLanguage the row takes its network's (read by the same statement). Throws SourceAlreadyRecorded when the
   * row names a turn of a source chunk or recording that already has its interaction (a transaction is then void).
   */
  async insert(tx: Tx | null, networkId: string, values: NewInteraction): Promise<Interaction> {
    const columns = ['network_id'];
    const params: unknown[] = [networkId];
    const placeholders = ['$1'];
    for (const [key, column] of INSERTABLE) {
      const value = values[key];
      if (value === undefined) continue;
      params.push(key === 'metadata' ? JSON.stringify(value) : value);
      columns.push(column);
      placeholders.push(`$${params.length}`);
    }
    if (values.searchLanguage === undefined) {
      columns.push('search_language');
      placeholders.push(
        `COALESCE((SELECT ${searchLanguageSql('n.settings')} FROM networks n WHERE n.id = $1), 'en')`,
      );
    }
    const sql = `INSERT INTO interactions (${columns.join(', ')}) VALUES (${placeholders.join(', ')})
                 RETURNING ${INTERACTION_COLUMNS}`;
    try {
      const rows = (await Tx.manager(tx, this.interactions.manager).query(sql, params)) as InteractionRow[];
      return toInteraction(rows[0]!);
    } catch (err) {
      if ((values.sourceChunkId || values.sourceRecordingId) && isUniqueViolation(err)) {
        throw new SourceAlreadyRecorded();
      }
      throw referenceErrorOf(err);
    }
  }

  find(networkId: string, id: string): Promise<Interaction | null> {
    return this.selectOne(networkId, 'id = $2', [id]);
  }

  /** The network's interactions among `ids` (others are left out), in no particular order. */
  async findMany(networkId: string, ids: string[]): Promise<Interaction[]> {
    if (ids.length === 0) return [];
    const rows = (await this.interactions.query(
      `SELECT ${INTERACTION_COLUMNS} FROM interactions WHERE network_id = $1 AND id = ANY($2::uuid[])`,
      [networkId, ids],
    )) as InteractionRow[];
    return rows.map(toInteraction);
  }

  /**
   * One page (newest first by default) and, when asked, its exact total; `next` is where the following page starts
   * (null on the last page). The SQL and the indexes that serve it: interactionListSql.
   */
  async list(
    networkId: string,
    filter: InteractionFilter,
    page: InteractionPage,
    withTotal: boolean,
  ): Promise<{ rows: Interaction[]; total: number | null; next: KeysetPosition | null }> {
    const { pageSql, pageParams, countSql, countParams } = interactionListSql(networkId, filter, page);
    // The page and the count run side by side (two pool connections on PostgreSQL; queued on PGlite).
    const [rows, counted] = await Promise.all([
      this.interactions.query(pageSql, pageParams) as Promise<(InteractionRow & { cursor_key: string })[]>,
      withTotal
        ? (this.interactions.query(countSql, countParams) as Promise<{ n: number | string }[]>)
        : Promise.resolve(null),
    ]);
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown[shown.length - 1];
    return {
      rows: shown.map(toInteraction),
      total: counted === null ? null : Number(counted[0]?.n ?? 0),
      next: more && last ? { key: last.cursor_key, id: last.id } : null,
    };
  }

  /**
   * Changes the row with one UPDATE … RETURNING, in the caller's transaction (its row lock holds to the commit) or
   * alone: the utterance pipeline updates each interaction it makes several times, and a read-lock-save through
   * TypeORM costs four statements and an entity's hydration. Null when the row is not in this network.
   */
  async update(
    tx: Tx | null,
    networkId: string,
    id: string,
    changes: InteractionChanges,
  ): Promise<Interaction | null> {
    const params: unknown[] = [networkId, id, new Date()];
    const sets = ['updated_at = $3'];
    const changed: Partial<NewInteraction> = changes;
    for (const [key, column] of INSERTABLE) {
      const value = changed[key];
      if (value === undefined || key === 'sourceStreamId' || key === 'sourceChunkId') continue;
      params.push(key === 'metadata' ? JSON.stringify(value) : value);
      sets.push(`${column} = $${params.length}`);
    }
    const sql = `UPDATE interactions SET ${sets.join(', ')} WHERE network_id = $1 AND id = $2
                 RETURNING ${INTERACTION_COLUMNS}`;
    try {
      const [rows] = (await Tx.manager(tx, this.interactions.manager).query(sql, params)) as [
        InteractionRow[],
        number,
      ];
      return rows[0] ? toInteraction(rows[0]) : null;
    } catch (err) {
      throw referenceErrorOf(err);
    }
  }

  /** Deletes and leaves a tombstone; false when there was nothing to delete. */
  async delete(networkId: string, id: string): Promise<boolean> {
    return this.interactions.manager.transaction(async (manager) => {
      const rows = (await manager.query(
        `DELETE FROM interactions WHERE network_id = $1 AND id = $2 RETURNING id`,
        [networkId, id],
      )) as [unknown[], number];
      const deleted = Array.isArray(rows[0]) ? rows[0].length > 0 : (rows as unknown[]).length > 0;
      if (deleted) await this.tombstone(manager, networkId, `SELECT $2::uuid`, [id]);
      return deleted;
    });
  }

  wasDeleted(networkId: string, id: string): Promise<boolean> {
    return hasTombstone(this.interactions, networkId, 'interaction', id);
  }

  /** Conversation delete: tombstones then deletes its interactions, inside the caller's transaction. */
  async deleteByConversation(tx: Tx, networkId: string, conversationId: string): Promise<void> {
    const manager = Tx.manager(tx);
    await this.tombstone(
      manager,
      networkId,
      `SELECT id FROM interactions WHERE network_id = $1 AND conversation_id = $2`,
      [conversationId],
    );
    await manager.query(`DELETE FROM interactions WHERE network_id = $1 AND conversation_id = $2`, [
      networkId,
      conversationId,
    ]);
  }

  /** Person delete: keeps the interactions, unattributed, with a record of who the speaker was. */
  async detachPerson(
    tx: Tx,
    networkId: string,
    person: { id: string; index: number; name: string | null },
  ): Promise<void> {
    await Tx.manager(tx).query(
      `UPDATE interactions
       SET person_id = NULL, updated_at = now(),
           metadata = metadata || jsonb_build_object('deleted_person',
             jsonb_build_object('id', $2::text, 'index', $3::int, 'name', $4::text, 'deleted_at', now()))
       WHERE network_id = $1 AND person_id = $2`,
      [networkId, person.id, person.index, person.name],
    );
  }

  /** Retention: tombstones then deletes a network's interactions that occurred before `cutoff`. */
  async deleteOccurredBefore(networkId: string, cutoff: Date): Promise<number> {
    return this.interactions.manager.transaction(async (manager) => {
      await this.tombstone(
        manager,
        networkId,
        `SELECT id FROM interactions WHERE network_id = $1 AND occurred_at < $2`,
        [cutoff],
      );
      const rows = (await manager.query(
        `DELETE FROM interactions WHERE network_id = $1 AND occurred_at < $2 RETURNING id`,
        [networkId, cutoff],
      )) as [unknown[], number] | unknown[];
      return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    });
  }

  /** Merge: the source person's interactions now belong to the target (inside the merge transaction). */
  async reassignPerson(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    await Tx.manager(tx).query(
      `UPDATE interactions SET person_id = $3, updated_at = now() WHERE network_id = $1 AND person_id = $2`,
      [networkId, sourceId, targetId],
    );
  }

  findBySourceChunk(networkId: string, chunkId: string, turn: number): Promise<Interaction | null> {
    return this.selectOne(networkId, 'source_chunk_id = $2 AND source_turn = $3', [chunkId, turn]);
  }

  /** Every interaction made from one source chunk, by turn. */
  async turnsOfSourceChunk(networkId: string, chunkId: string): Promise<Interaction[]> {
    const rows = (await this.interactions.manager.query(
      `SELECT ${INTERACTION_COLUMNS} FROM interactions WHERE network_id = $1 AND source_chunk_id = $2
       ORDER BY source_turn`,
      [networkId, chunkId],
    )) as InteractionRow[];
    return rows.map(toInteraction);
  }

  findBySourceRecording(
    networkId: string,
    recordingId: string,
    turn: number,
  ): Promise<InteractionEntity | null> {
    return this.interactions.findOne({
      where: { networkId, sourceRecordingId: recordingId, sourceTurn: turn },
    });
  }

  latestInConversation(networkId: string, conversationId: string): Promise<Interaction | null> {
    return this.selectOne(networkId, 'conversation_id = $2 ORDER BY occurred_at DESC, id DESC', [
      conversationId,
    ]);
  }

  /**
   * The latest interaction heard by one device (metadata.audio.client_id) that occurred in [since, before): the
   * speaker context of the device's next utterance. Served by the (network_id, occurred_at) index over a few seconds.
   */
  latestFromClient(
    networkId: string,
    clientId: string,
    since: Date,
    before: Date,
  ): Promise<Interaction | null> {
    return this.selectOne(
      networkId,
      `occurred_at >= $2 AND occurred_at < $3 AND metadata -> 'audio' ->> 'client_id' = $4
       ORDER BY occurred_at DESC, id DESC`,
      [since, before, clientId],
    );
  }

  /**
   * Count (the maintained counter) and latest occurred_at (one index entry each) per person or per conversation;
   * ids without interactions are left out.
   */
  async statsBy(
    column: 'person_id' | 'conversation_id',
    networkId: string,
    ids: string[],
  ): Promise<Map<string, { count: number; last: Date | null }>> {
    const scope =
      column === 'person_id'
        ? 'c.person_id = k.id AND c.conversation_id IS NULL'
        : 'c.conversation_id = k.id AND c.person_id IS NULL';
    const rows = (await this.interactions.query(
      `SELECT k.id AS key, c.n::int AS n, latest.occurred_at AS last
       FROM unnest($2::uuid[]) AS k(id)
       JOIN interaction_counts c ON c.network_id = $1 AND ${scope} AND c.n > 0
       LEFT JOIN LATERAL (
         SELECT occurred_at FROM interactions i WHERE i.network_id = $1 AND i.${column} = k.id
         ORDER BY i.occurred_at DESC LIMIT 1
       ) AS latest ON true`,
      [networkId, ids],
    )) as { key: string; n: number; last: Date | string | null }[];
    return new Map(
      rows.map((r) => [r.key, { count: Number(r.n), last: r.last === null ? null : new Date(r.last) }]),
    );
  }

  private async tombstone(manager: EntityManager, networkId: string, idsQuery: string, params: unknown[]) {
    await manager.query(
      `INSERT INTO tombstones (network_id, entity, entity_id)
       SELECT $1, 'interaction', x.id FROM (${idsQuery}) AS x(id) ON CONFLICT DO NOTHING`,
      [networkId, ...params],
    );
  }

  /**
   * The first interaction of the network matching `where` (a condition on $2… and, optionally, an ORDER BY): plain
   * SQL for the reads the utterance pipeline makes per utterance.
   */
  private async selectOne(networkId: string, where: string, params: unknown[]): Promise<Interaction | null> {
    const rows = (await this.interactions.manager.query(
      `SELECT ${INTERACTION_COLUMNS} FROM interactions WHERE network_id = $1 AND ${where} LIMIT 1`,
      [networkId, ...params],
    )) as InteractionRow[];
    return rows[0] ? toInteraction(rows[0]) : null;
  }
}
