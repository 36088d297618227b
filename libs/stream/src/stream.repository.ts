import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import { StreamEntity } from './stream.entity.js';

/** What a stored chunk changes on its stream: the latest timing, quality and clock offset. */
export type StreamChunkUpdate = Pick<
  StreamEntity,
  | 'clockOffsetMs'
  | 'lastReceivedAt'
  | 'lastCapturedAt'
  | 'lastChunkId'
  | 'lastSeq'
  | 'audioScore'
  | 'snrDb'
  | 'clarity'
  | 'rms'
  | 'clippingRatio'
  | 'speechRatio'
>;

/** The streams table: one row per device stream of a network. Every statement is scoped by network_id. */
@Injectable()
export class StreamRepository {
  constructor(@InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>) {}

  find(networkId: string, streamId: string): Promise<StreamEntity | null> {
    return this.streams.findOne({ where: { networkId, streamId } });
  }

  /** The network's streams by stream id (at most 1000: a network has a handful of devices). */
  list(networkId: string): Promise<StreamEntity[]> {
    return this.streams.find({ where: { networkId }, order: { streamId: 'ASC' }, take: 1000 });
  }

  findByRowIds(networkId: string, ids: string[]): Promise<StreamEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.streams.find({ where: { networkId, id: In(ids) } });
  }

  /**
   * Locks the stream's row for the rest of the transaction, creating it on first use: every chunk after a stream's
   * first finds its row with the locking read alone.
   */
  async lockOrCreate(tx: Tx, networkId: string, streamId: string, clientId: string): Promise<StreamEntity> {
    const streams = Tx.manager(tx).getRepository(StreamEntity);
    const locked = { where: { networkId, streamId }, lock: { mode: 'pessimistic_write' as const } };
    const existing = await streams.findOne(locked);
    if (existing) return existing;
    await streams
      .createQueryBuilder()
      .insert()
      .values({ networkId, streamId, clientId })
      .orIgnore()
      .updateEntity(false)
      .execute();
    return streams.findOneOrFail(locked);
  }

  /** Records a stored chunk on its (locked) stream; a chunk without seq keeps the stream's last seq. */
  async recordChunk(
    tx: Tx,
    stream: Pick<StreamEntity, 'networkId' | 'id'>,
    update: StreamChunkUpdate,
  ): Promise<void> {
    const { lastSeq, ...values } = update;
    await Tx.manager(tx)
      .getRepository(StreamEntity)
      .createQueryBuilder()
      .update()
      .set({
        ...values,
        lastSeq: lastSeq === null ? () => 'last_seq' : lastSeq,
        chunkCount: () => 'chunk_count + 1',
        updatedAt: () => 'now()',
      })
      .where('network_id = :networkId AND id = :id', { networkId: stream.networkId, id: stream.id })
      .execute();
  }
}
