import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
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
    await floors.createQueryBuilder().insert().values({ networkId }).orIgnore().updateEntity(false).execute();
    return floors.findOneOrFail({ where: { networkId }, lock: { mode: 'pessimistic_write' } });
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

  async insertDecision(tx: Tx, decision: NewDecision): Promise<string> {
    const decisions = Tx.manager(tx).getRepository(StreamDecisionEntity);
    return (await decisions.save(decisions.create(decision))).id;
  }
}
