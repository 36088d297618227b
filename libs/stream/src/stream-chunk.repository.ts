import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { And, In, IsNull, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { StreamChunkEntity } from './stream-chunk.entity.js';
import type { ChunkStatus, StreamChunk } from './stream.types.js';

/** What ingestion stores: a chunk before any decision, with its metadata and decoded audio. */
export type NewChunk = Omit<
  StreamChunk,
  'id' | 'status' | 'decisionId' | 'decisionReason' | 'decidedAt' | 'createdAt' | 'audio'
> & { audio: Buffer };

/** A decision's outcome for some of its chunks. */
export interface ChunkVerdict {
  status: Exclude<ChunkStatus, 'pending'>;
  decisionId: string;
  reason: string;
  /** Losers and silent copies give up their audio at once; the winner keeps it for the utterance pipeline. */
  dropAudio: boolean;
}

/** The stream_chunks table. Every statement is scoped by network_id; the audio column is read only on request. */
@Injectable()
export class StreamChunkRepository {
  constructor(@InjectRepository(StreamChunkEntity) private readonly chunks: Repository<StreamChunkEntity>) {}

  private repo(tx?: Tx): Repository<StreamChunkEntity> {
    return Tx.manager(tx, this.chunks.manager).getRepository(StreamChunkEntity);
  }

  /** Inserts the chunk with its audio; null when the same seq or Idempotency-Key already exists (a retry). */
  async insert(tx: Tx, chunk: NewChunk): Promise<string | null> {
    const result = await this.repo(tx)
      .createQueryBuilder()
      .insert()
      // The jsonb metadata (Record<string, unknown>) does not fit TypeORM's deep-partial insert type; it is the entity's own shape.
      .values(chunk as QueryDeepPartialEntity<StreamChunkEntity>)
      .orIgnore()
      .returning('id')
      .updateEntity(false)
      .execute();
    return (result.raw as { id: string }[])[0]?.id ?? null;
  }

  find(networkId: string, chunkId: string, tx?: Tx): Promise<StreamChunkEntity | null> {
    return this.repo(tx).findOne({ where: { networkId, id: chunkId } });
  }

  /** The chunk with this seq on the stream named `streamId` (the seq is unique per stream row). */
  findBySeq(networkId: string, streamId: string, seq: number): Promise<StreamChunkEntity | null> {
    return this.chunks
      .createQueryBuilder('chunk')
      .where('chunk.network_id = :networkId AND chunk.seq = :seq', { networkId, seq })
      .andWhere(
        'chunk.stream_row_id = (SELECT id FROM streams WHERE network_id = :networkId AND stream_id = :streamId)',
        { streamId },
      )
      .getOne();
  }

  findByIdempotencyKey(networkId: string, clientId: string, key: string): Promise<StreamChunkEntity | null> {
    return this.chunks.findOne({ where: { networkId, clientId, idempotencyKey: key } });
  }

  /** The chunk with its audio (null audio once released). */
  findWithAudio(networkId: string, chunkId: string): Promise<StreamChunkEntity | null> {
    return this.chunks
      .createQueryBuilder('chunk')
      .addSelect('chunk.audio')
      .where('chunk.network_id = :networkId AND chunk.id = :chunkId', { networkId, chunkId })
      .getOne();
  }

  /** The audio of those chunks that still hold it, by chunk id. */
  async loadAudio(tx: Tx, networkId: string, chunkIds: string[]): Promise<Map<string, Buffer>> {
    if (chunkIds.length === 0) return new Map();
    const rows = await this.repo(tx).find({
      select: { id: true, audio: true },
      where: { networkId, id: In(chunkIds), audio: Not(IsNull()) },
    });
    return new Map(rows.map((r) => [r.id, r.audio as Buffer]));
  }

  /**
   * Chunks with one of the statuses whose aligned interval overlaps [start, end): at most 200, by start. A chunk
   * lasts at most `maxChunkMs`, which bounds how early an overlapping one can start (the index on aligned_start).
   */
  findOverlapping(
    tx: Tx,
    networkId: string,
    window: { start: Date; end: Date },
    statuses: ChunkStatus[],
    maxChunkMs: number,
  ): Promise<StreamChunkEntity[]> {
    const earliest = new Date(window.start.getTime() - maxChunkMs);
    return this.repo(tx).find({
      where: {
        networkId,
        status: In(statuses),
        alignedStart: And(LessThan(window.end), MoreThan(earliest)),
        alignedEnd: MoreThan(window.start),
      },
      order: { alignedStart: 'ASC', id: 'ASC' },
      take: 200,
    });
  }

  /** Applies a decision to those of the chunks still pending (a chunk is decided once). */
  async decide(tx: Tx, networkId: string, chunkIds: string[], verdict: ChunkVerdict): Promise<void> {
    if (chunkIds.length === 0) return;
    await this.repo(tx)
      .createQueryBuilder()
      .update()
      .set({
        status: verdict.status,
        decisionId: verdict.decisionId,
        decisionReason: verdict.reason,
        decidedAt: () => 'now()',
        ...(verdict.dropAudio ? { audio: null } : {}),
      })
      .where("network_id = :networkId AND id IN (:...chunkIds) AND status = 'pending'", {
        networkId,
        chunkIds,
      })
      .execute();
  }

  /** Retention: deletes a network's decided chunks (with any audio they still hold) received before `cutoff`. */
  async deleteDecidedBefore(networkId: string, cutoff: Date): Promise<number> {
    const result = await this.chunks.delete({
      networkId,
      receivedAt: LessThan(cutoff),
      status: Not('pending'),
    });
    return result.affected ?? 0;
  }

  async releaseAudio(networkId: string, chunkId: string): Promise<void> {
    await this.chunks.update({ networkId, id: chunkId }, { audio: null });
  }
}
