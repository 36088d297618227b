import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Tx } from '@mira/core';
import { StreamDecisionEntity } from './stream-decision.entity.js';
import { StreamFloorEntity } from './stream-floor.entity.js';

/** Who holds a network's floor and since when (a network without a row has a free floor). */
export type FloorRow = Pick<
  StreamFloorEntity,
  'networkId' | 'holderStreamRowId' | 'holderSince' | 'lastUntil'
>;

export type NewDecision = Omit<StreamDecisionEntity, 'id' | 'createdAt'>;

/** The stream_floors and stream_decisions tables: the arbitration's state and its log, per network. */
@Injectable()
export class StreamFloorRepository {
  constructor(@InjectRepository(StreamFloorEntity) private readonly floors: Repository<StreamFloorEntity>) {}

  async get(networkId: string, tx?: Tx): Promise<FloorRow> {
    const floors = Tx.manager(tx, this.floors.manager).getRepository(StreamFloorEntity);
    const row = await floors.findOne({ where: { networkId } });
    return row ?? { networkId, holderStreamRowId: null, holderSince: null, lastUntil: null };
  }

  /** The network's floor row, created on first use and locked FOR UPDATE: arbitration is serial per network. */
  async lock(tx: Tx, networkId: string): Promise<FloorRow> {
    const floors = Tx.manager(tx).getRepository(StreamFloorEntity);
    const locked = { where: { networkId }, lock: { mode: 'pessimistic_write' as const } };
    // Every decision after a network's first finds its row with the locking read alone.
    const existing = await floors.findOne(locked);
    if (existing) return existing;
    await floors.createQueryBuilder().insert().values({ networkId }).orIgnore().updateEntity(false).execute();
    return floors.findOneOrFail(locked);
  }

  /** Moves the (locked) floor and counts the decision. */
  async save(tx: Tx, floor: FloorRow): Promise<void> {
    await Tx.manager(tx)
      .getRepository(StreamFloorEntity)
      .createQueryBuilder()
      .update()
      .set({
        holderStreamRowId: floor.holderStreamRowId,
        holderSince: floor.holderSince,
        lastUntil: floor.lastUntil,
        decisions: () => 'decisions + 1',
        updatedAt: () => 'now()',
      })
      .where('network_id = :networkId', { networkId: floor.networkId })
      .execute();
  }

  /** One INSERT … RETURNING id (a repository save reads the row's defaults back with a second statement). */
  async insertDecision(tx: Tx, decision: NewDecision): Promise<string> {
    const result = await Tx.manager(tx)
      .getRepository(StreamDecisionEntity)
      .createQueryBuilder()
      .insert()
      // The jsonb features (Record<string, unknown>) do not fit TypeORM's deep-partial insert type; it is the entity's own shape.
      .values(decision as QueryDeepPartialEntity<StreamDecisionEntity>)
      .returning('id')
      .updateEntity(false)
      .execute();
    return (result.raw as { id: string }[])[0]!.id;
  }
}
