import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { And, In, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import { StreamChunkEntity } from './stream-chunk.entity.js';
import type { ChunkStatus, StreamChunk } from './stream.types.js';

/** What ingestion stores: a chunk before any decision, with its metadata and decoded audio. */
export type NewChunk = Omit<
  StreamChunk,
  'id' | 'status' | 'decisionId' | 'decisionReason' | 'decidedAt' | 'createdAt' | 'audio'
> & { audio: Buffer };

/** A chunk's speech figures as the VAD judged them (StreamChunkRepository.recordJudgement). */
export type SpeechJudgement = Pick<StreamChunk, 'audioScore' | 'snrDb' | 'clarity' | 'speechRatio' | 'score'>;

/** What a stored chunk changes on its stream besides its timing, seq and quality (which the chunk carries). */
export interface StreamChunkUpdate {
  clockOffsetMs: number;
}

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

  /**
   * Stores a chunk in one statement: inserts it with its audio, records it on its stream (locked by the caller; a
   * chunk without seq keeps the stream's last seq) and removes the upload's in-flight marker. Null when the same seq
   * or Idempotency-Key already exists (a retry): then the stream is left as it was, and the marker goes all the same.
   */
  async insertOnStream(
    tx: Tx,
    chunk: NewChunk,
    stream: StreamChunkUpdate,
    markerId: string,
  ): Promise<string | null> {
    const rows = (await Tx.manager(tx).query(
      `WITH chunk AS (
         INSERT INTO stream_chunks (network_id, stream_row_id, stream_id, client_id, seq, idempotency_key,
                content_sha256, captured_at, received_at, aligned_start, aligned_end, duration_ms, format, audio_score,
                snr_db, clarity, rms, clipping_ratio, speech_ratio, score, metadata, audio, quality_basis)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                 $25)
         ON CONFLICT DO NOTHING
         RETURNING id
       ), marker AS (
         DELETE FROM stream_ingests WHERE network_id = $1 AND id = $23
       ), stream AS (
         UPDATE streams s
            SET clock_offset_ms = $24, last_received_at = $9, last_captured_at = $8, last_chunk_id = chunk.id,
                last_seq = COALESCE($5, s.last_seq), audio_score = $14, snr_db = $15, clarity = $16, rms = $17,
                clipping_ratio = $18, speech_ratio = $19, quality_basis = $25, chunk_count = s.chunk_count + 1,
                updated_at = now()
           FROM chunk
          WHERE s.network_id = $1 AND s.id = $2
       )
       SELECT id FROM chunk`,
      [
        chunk.networkId,
        chunk.streamRowId,
        chunk.streamId,
        chunk.clientId,
        chunk.seq,
        chunk.idempotencyKey,
        chunk.contentSha256,
        chunk.capturedAt,
        chunk.receivedAt,
        chunk.alignedStart,
        chunk.alignedEnd,
        chunk.durationMs,
        chunk.format,
        chunk.audioScore,
        chunk.snrDb,
        chunk.clarity,
        chunk.rms,
        chunk.clippingRatio,
        chunk.speechRatio,
        chunk.score,
        chunk.metadata === null ? null : JSON.stringify(chunk.metadata),
        chunk.audio,
        markerId,
        stream.clockOffsetMs,
        chunk.qualityBasis,
      ],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /**
   * Replaces a pending chunk's estimated speech figures with the VAD's (the arbitration's judgement, in its
   * transaction): its audio score, SNR, clarity, speech ratio and stream score; basis `vad`.
   */
  async recordJudgement(tx: Tx, networkId: string, chunkId: string, judged: SpeechJudgement): Promise<void> {
    await Tx.manager(tx).query(
      `UPDATE stream_chunks
          SET audio_score = $3, snr_db = $4, clarity = $5, speech_ratio = $6, score = $7, quality_basis = 'vad'
        WHERE network_id = $1 AND id = $2 AND status = 'pending'`,
      [networkId, chunkId, judged.audioScore, judged.snrDb, judged.clarity, judged.speechRatio, judged.score],
    );
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

  /**
   * The audio of those chunks that still hold it, by chunk id. Plain SQL: TypeORM's query building and hydration cost
   * this read, which every arbitration makes, more than the bytes' hex text does (bench/chunk-audio-read.bench.ts).
   */
  async loadAudio(tx: Tx, networkId: string, chunkIds: string[]): Promise<Map<string, Buffer>> {
    if (chunkIds.length === 0) return new Map();
    const rows = (await Tx.manager(tx).query(
      `SELECT id, audio FROM stream_chunks WHERE network_id = $1 AND id = ANY($2::uuid[]) AND audio IS NOT NULL`,
      [networkId, chunkIds],
    )) as { id: string; audio: Buffer }[];
    return new Map(rows.map((r) => [r.id, r.audio]));
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
