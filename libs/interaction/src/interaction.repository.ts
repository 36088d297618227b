import { Injectable } from '@nestjs/common';
import { hasTombstone } from '@mira/core';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { InteractionEntity, InteractionType } from './interaction.entity.js';

export interface InteractionFilter {
  personId?: string;
  conversationId?: string;
  interactionType?: InteractionType;
  since?: Date;
  until?: Date;
}

export type InteractionSort = 'occurred_at' | 'created_at';

export type NewInteraction = Pick<
  InteractionEntity,
  'personId' | 'conversationId' | 'content' | 'interactionType' | 'metadata'
> &
  Partial<
    Pick<
      InteractionEntity,
      | 'occurredAt'
      | 'speakerConfidence'
      | 'transcriptionStatus'
      | 'processingStatus'
      | 'sourceStreamId'
      | 'sourceChunkId'
    >
  >;

/** The only place that touches the interactions table (and interactions' tombstones). */
@Injectable()
export class InteractionRepository {
  constructor(
    @InjectRepository(InteractionEntity) private readonly interactions: Repository<InteractionEntity>,
  ) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.interactions.manager.transaction(work);
  }

  async insert(
    manager: EntityManager,
    networkId: string,
    values: NewInteraction,
  ): Promise<InteractionEntity> {
    const repo = manager.getRepository(InteractionEntity);
    return repo.save(repo.create({ ...values, networkId }));
  }

  find(networkId: string, id: string): Promise<InteractionEntity | null> {
    return this.interactions.findOne({ where: { networkId, id } });
  }

  /**
   * One page, newest first by default. Every filter combination is served by an index that starts with
   * network_id (all / by person / by conversation / by type, each ordered by occurred_at, id).
   */
  async list(
    networkId: string,
    filter: InteractionFilter,
    page: { limit: number; offset: number; sort: InteractionSort; order: 'asc' | 'desc' },
    withTotal: boolean,
  ): Promise<{ rows: InteractionEntity[]; total: number | null }> {
    const qb = this.interactions.createQueryBuilder('i').where('i.network_id = :networkId', { networkId });
    if (filter.personId) qb.andWhere('i.person_id = :personId', { personId: filter.personId });
    if (filter.conversationId)
      qb.andWhere('i.conversation_id = :conversationId', { conversationId: filter.conversationId });
    if (filter.interactionType) qb.andWhere('i.interaction_type = :type', { type: filter.interactionType });
    if (filter.since) qb.andWhere('i.occurred_at >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('i.occurred_at < :until', { until: filter.until });
    const direction = page.order === 'asc' ? 'ASC' : 'DESC';
    const column = page.sort === 'created_at' ? 'i.created_at' : 'i.occurred_at';
    // The page and the count run side by side (two pool connections on PostgreSQL; queued on PGlite).
    const [rows, total] = await Promise.all([
      qb
        .clone()
        .orderBy(column, direction)
        .addOrderBy('i.id', direction)
        .limit(page.limit)
        .offset(page.offset)
        .getMany(),
      withTotal ? qb.clone().getCount() : Promise.resolve(null),
    ]);
    return { rows, total };
  }

  async update(manager: EntityManager, networkId: string, id: string, changes: Partial<InteractionEntity>) {
    const repo = manager.getRepository(InteractionEntity);
    const row = await repo.findOne({ where: { networkId, id }, lock: { mode: 'pessimistic_write' } });
    if (!row) return null;
    Object.assign(row, changes);
    row.updatedAt = new Date();
    return repo.save(row);
  }

  /** Deletes and leaves a tombstone; false when there was nothing to delete. */
  async delete(networkId: string, id: string): Promise<boolean> {
    return this.transaction(async (manager) => {
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
  async deleteByConversation(
    manager: EntityManager,
    networkId: string,
    conversationId: string,
  ): Promise<void> {
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
    manager: EntityManager,
    networkId: string,
    person: { id: string; index: number; name: string | null },
  ): Promise<void> {
    await manager.query(
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
    return this.transaction(async (manager) => {
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
  async reassignPerson(manager: EntityManager, networkId: string, sourceId: string, targetId: string) {
    await manager.query(
      `UPDATE interactions SET person_id = $3, updated_at = now() WHERE network_id = $1 AND person_id = $2`,
      [networkId, sourceId, targetId],
    );
  }

  findBySourceChunk(networkId: string, chunkId: string): Promise<InteractionEntity | null> {
    return this.interactions.findOne({ where: { networkId, sourceChunkId: chunkId } });
  }

  latestInConversation(networkId: string, conversationId: string): Promise<InteractionEntity | null> {
    return this.interactions.findOne({
      where: { networkId, conversationId },
      order: { occurredAt: 'DESC', id: 'DESC' },
    });
  }

  /** count and latest occurred_at per person (or per conversation). */
  async statsBy(
    column: 'person_id' | 'conversation_id',
    networkId: string,
    ids: string[],
  ): Promise<Map<string, { count: number; last: Date | null }>> {
    const rows = (await this.interactions.query(
      `SELECT ${column} AS key, count(*)::int AS n, max(occurred_at) AS last FROM interactions
       WHERE network_id = $1 AND ${column} = ANY($2::uuid[]) GROUP BY ${column}`,
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
}
