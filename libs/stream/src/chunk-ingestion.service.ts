import { createHash } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AppConfig,
  AppLogger,
  CommonErrors,
  floatToPcm16,
  MetricNames,
  MetricsService,
  type Principal,
  Transactions,
} from '@mira/core';
import { AudioService, type QualityReport } from '@mira/audio';
import { JobName, JobQueue } from '@mira/jobs';
import { NetworkService } from '@mira/network';
import { estimateClockOffset, freshSignals, roundTo, streamScore } from './arbitration.policy.js';
import { assertStreamId, type ChunkFields, parseChunkFields } from './chunk-input.js';
import { PhoneSignalService } from './phone-signal.service.js';
import { type NewChunk, StreamChunkRepository } from './stream-chunk.repository.js';
import { StreamFloorRepository } from './stream-floor.repository.js';
import { StreamIngestRepository } from './stream-ingest.repository.js';
import { StreamReadService } from './stream-read.service.js';
import { StreamErrors } from './stream.errors.js';
import { StreamRepository } from './stream.repository.js';
import type { ChunkReceipt, StreamChunk, UploadedAudio } from './stream.types.js';

/**
 * A chunk's fields as stored: the network door always sends the first sample's time; an app segment may send only
 * its end (or nothing: it ended when it arrived), and then the start is the end − its decoded duration.
 */
type StoredChunkFields = Omit<ChunkFields, 'capturedAt'> & { capturedAt: Date | null; endedAt: Date | null };
/** What tells a retried upload from a new one. */
type RetryKeys = Pick<ChunkFields, 'seq' | 'idempotencyKey'>;

/**
 * A chunk of the live audio socket holds frames `firstSeq`…`seq`: it is stored only if none of them is already
 * (checked under the stream's row lock, so two sockets feeding one stream never store a frame twice).
 */
export interface LiveFramesGuard {
  firstSeq: number;
}

/**
 * Audio ingestion: every chunk is decoded, scored and stored (decoded audio included) as `pending`, in ONE
 * transaction with its delayed `stream.arbitrate` job, so an upload answered 2xx survives a crash. Retries (same seq
 * or Idempotency-Key) answer the original result and store nothing. The score is the quality estimated from frame
 * energies (basis `energy`): the VAD, ~11 ms of model per second of audio, runs in the arbitration once per sound
 * instead of once per copy (StreamArbitrationService), and the upload is answered without waiting for it.
 */
@Injectable()
export class ChunkIngestionService implements OnModuleInit {
  /** Last chunk time per stream that sent audio to THIS instance (for the mira_active_streams gauge). */
  private readonly recentStreams = new Map<string, number>();

  constructor(
    private readonly streams: StreamRepository,
    private readonly chunks: StreamChunkRepository,
    private readonly floors: StreamFloorRepository,
    private readonly ingests: StreamIngestRepository,
    private readonly signals: PhoneSignalService,
    private readonly reads: StreamReadService,
    private readonly audio: AudioService,
    private readonly networks: NetworkService,
    private readonly jobs: JobQueue,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
  ) {}

  private get cfg() {
    return this.config.values.streams;
  }

  onModuleInit(): void {
    this.metrics.gauge(
      MetricNames.activeStreams,
      'Audio streams that sent a chunk to this instance within STREAM_INACTIVE_AFTER_MS',
      [],
      (gauge) => gauge.set(this.activeStreamsHere()),
    );
  }

  /**
   * Stores one uploaded chunk of a device's stream (the file is required by the upload interceptor). `receivedAt` is
   * when its bytes reached the server (the request's arrival, a live socket's last frame): the clock offset is
   * measured from it, not from when this busy server got to the chunk (under load the copies of one moment wait
   * different times, up to seconds, before here).
   */
  async ingest(
    networkId: string,
    principal: Principal,
    rawStreamId: string,
    file: UploadedAudio,
    body: Record<string, unknown>,
    idempotencyHeader: string | undefined,
    receivedAt: Date,
    live?: LiveFramesGuard,
  ): Promise<ChunkReceipt> {
    if (principal.kind !== 'client') throw StreamErrors.clientTokenRequired();
    const clientId = principal.clientId;
    const streamId = assertStreamId(rawStreamId);
    const fields = parseChunkFields(body, idempotencyHeader, receivedAt.getTime());
    if (!(await this.networks.isServiceEnabled(networkId))) throw StreamErrors.serviceDisabled();
    const hash = contentHash(file.buffer, fields.capturedAt);

    return this.accept(
      networkId,
      clientId,
      streamId,
      file,
      { ...fields, endedAt: null },
      hash,
      receivedAt,
      live,
    );
  }

  /**
   * A segment a shipped app cut with its own VAD, heard by one of the account's devices (the account door's
   * POST /interactions/register): stored, arbitrated and processed exactly like a stream chunk, on the device's own
   * stream (stream id = device name). `startedAt`/`endedAt` are the device's clock when it sent them; with `endedAt`
   * the first sample is taken to be `endedAt` − duration, without either the segment is taken to have ended when it
   * arrived (`receivedAt`, the request's arrival). Resolves once the chunk and its arbitration job are committed.
   */
  async ingestSegment(
    networkId: string,
    clientId: string,
    file: UploadedAudio,
    timing: { startedAt: Date | null; endedAt: Date | null },
    metadata: Record<string, unknown>,
    receivedAt: Date,
  ): Promise<ChunkReceipt> {
    if (!(await this.networks.isServiceEnabled(networkId))) throw StreamErrors.serviceDisabled();
    const fields: StoredChunkFields = {
      capturedAt: timing.endedAt ? null : timing.startedAt,
      endedAt: timing.endedAt,
      metadata,
      seq: null,
      idempotencyKey: null,
    };
    const hash = contentHash(file.buffer, timing.endedAt ?? timing.startedAt ?? receivedAt);
    return this.accept(networkId, clientId, clientId, file, fields, hash, receivedAt);
  }

  private async accept(
    networkId: string,
    clientId: string,
    streamId: string,
    file: UploadedAudio,
    fields: StoredChunkFields,
    hash: string,
    receivedAt: Date,
    live?: LiveFramesGuard,
  ): Promise<ChunkReceipt> {
    const markerId = await this.ingests.beginUnlessStored(networkId, receivedAt, {
      clientId,
      streamId,
      seq: fields.seq,
      idempotencyKey: fields.idempotencyKey,
    });
    if (markerId === null) return this.replayStored(networkId, clientId, streamId, hash, fields);
    const marker = { id: markerId, removed: false };
    try {
      return await this.store(networkId, clientId, streamId, file, fields, hash, receivedAt, marker, live);
    } finally {
      // Normally removed by the storing transaction; this covers refusals and failures.
      if (!marker.removed) await this.ingests.end(networkId, marker.id).catch(() => undefined);
    }
  }

  private async store(
    networkId: string,
    clientId: string,
    streamId: string,
    file: UploadedAudio,
    fields: StoredChunkFields,
    hash: string,
    receivedAt: Date,
    marker: { id: string; removed: boolean },
    live: LiveFramesGuard | undefined,
  ): Promise<ChunkReceipt> {
    const t0 = Date.now();
    const decoded = await this.audio.decode(file.buffer, {
      filename: file.originalname,
      mimetype: file.mimetype,
    });
    const t1 = Date.now();
    if (decoded.durationSeconds > this.cfg.maxChunkSeconds) {
      throw StreamErrors.chunkTooLong(decoded.durationSeconds, this.cfg.maxChunkSeconds);
    }
    const quality = await this.audio.estimateQuality(decoded.samples);
    const t2 = Date.now();
    const durationMs = Math.round(decoded.durationSeconds * 1000);
    const capturedAt = fields.capturedAt ?? new Date((fields.endedAt ?? receivedAt).getTime() - durationMs);
    const audio = floatToPcm16(decoded.samples);

    const outcome = await this.transactions.run(async (tx) => {
      let locked = await this.streams.lockForChunk(tx, networkId, streamId, clientId);
      if (!locked) {
        await this.streams.create(tx, networkId, streamId, clientId);
        locked = await this.streams.lockForChunk(tx, networkId, streamId, clientId);
        if (!locked) throw new Error(`stream ${streamId} has no row after its insert`);
      }
      const { stream, reports, floor, holder } = locked;
      if (stream.clientId !== clientId) throw StreamErrors.streamOwnedByAnotherClient(streamId);
      if (live && stream.lastSeq !== null && stream.lastSeq >= live.firstSeq) {
        throw StreamErrors.liveFramesCommitted(streamId, stream.lastSeq);
      }
      const sample = receivedAt.getTime() - (capturedAt.getTime() + durationMs);
      const previous =
        stream.clockOffsetMs !== null && stream.lastReceivedAt
          ? { offsetMs: stream.clockOffsetMs, atMs: stream.lastReceivedAt.getTime() }
          : null;
      const offset = estimateClockOffset(previous, sample, receivedAt.getTime(), this.cfg.clockDriftPpm);
      const alignedStart = new Date(capturedAt.getTime() + offset);
      const alignedEnd = new Date(alignedStart.getTime() + durationMs);
      const signals = freshSignals(reports, receivedAt.getTime(), this.cfg.phoneSignalTtlMs);
      const breakdown = streamScore(quality.score, signals);
      const chunk: NewChunk = {
        networkId,
        streamRowId: stream.id,
        streamId,
        clientId,
        seq: fields.seq,
        idempotencyKey: fields.idempotencyKey,
        contentSha256: hash,
        capturedAt,
        receivedAt,
        alignedStart,
        alignedEnd,
        durationMs,
        format: decoded.format,
        ...qualityColumns(quality),
        score: breakdown.score,
        metadata: fields.metadata,
        audio,
      };
      const chunkId = await this.chunks.insertOnStream(tx, chunk, { clockOffsetMs: offset }, marker.id);
      if (!chunkId) return null; // a concurrent retry stored it first
      // The window runs from the later of the chunk's end and its storage: copies of the same sound that arrived
      // together but were still being decoded on this or another instance get the whole window too.
      const decisionDueAt = new Date(
        Math.max(alignedEnd.getTime(), Date.now()) + this.cfg.arbitrationWindowMs,
      );
      await this.jobs.enqueue(
        JobName.StreamArbitrate,
        { networkId, payload: { chunk_id: chunkId }, dedupeKey: chunkId, runAt: decisionDueAt },
        tx,
      );
      return {
        chunk: { ...chunk, id: chunkId, status: 'pending' as const },
        breakdown,
        holder: this.reads.heldBy(floor, holder),
        decisionDueAt,
      };
    });
    marker.removed = true; // with the transaction that committed

    if (!outcome) return this.replayStored(networkId, clientId, streamId, hash, fields);
    const { chunk, breakdown, holder, decisionDueAt } = outcome;
    this.recentStreams.set(chunk.streamRowId, receivedAt.getTime());
    if (this.recentStreams.size > 10_000) this.activeStreamsHere();
    this.logger.info('stream_chunk_accepted', {
      network_id: networkId,
      stream_row_id: chunk.streamRowId,
      chunk_id: chunk.id,
      audio_ms: durationMs,
      wait_ms: t0 - receivedAt.getTime(),
      decode_ms: t1 - t0,
      quality_ms: t2 - t1,
      store_ms: Date.now() - t2,
      score: breakdown.score,
      snr_db: roundTo(quality.snr_db, 2),
      speech_ratio: roundTo(quality.speech_ratio, 2),
      quality_basis: 'energy',
    });
    return { chunk, breakdown, holder, decisionDueAt, replayed: false };
  }

  /** Answers a retry from the chunk stored under its seq or Idempotency-Key. */
  private async replayStored(
    networkId: string,
    clientId: string,
    streamId: string,
    hash: string,
    fields: RetryKeys,
  ): Promise<ChunkReceipt> {
    const stored = await this.findRetried(networkId, clientId, streamId, fields);
    if (!stored)
      throw CommonErrors.conflict('CHUNK_IN_FLIGHT', 'The same chunk is being stored; retry shortly');
    return this.replay(networkId, stored, streamId, hash, fields);
  }

  private async findRetried(
    networkId: string,
    clientId: string,
    streamId: string,
    fields: RetryKeys,
  ): Promise<StreamChunk | null> {
    if (fields.idempotencyKey !== null) {
      const byKey = await this.chunks.findByIdempotencyKey(networkId, clientId, fields.idempotencyKey);
      if (byKey) return byKey;
    }
    if (fields.seq !== null) return this.chunks.findBySeq(networkId, streamId, fields.seq);
    return null;
  }

  /** Answers a retried upload with the original result; a different request under the same seq/key is refused. */
  private async replay(
    networkId: string,
    chunk: StreamChunk,
    streamId: string,
    hash: string,
    fields: RetryKeys,
  ): Promise<ChunkReceipt> {
    const sameRequest = chunk.contentSha256 === hash && chunk.streamId === streamId;
    if (!sameRequest) {
      if (fields.idempotencyKey !== null && chunk.idempotencyKey === fields.idempotencyKey) {
        throw StreamErrors.idempotencyKeyReused();
      }
      throw StreamErrors.seqConflict(fields.seq ?? -1);
    }
    const device = (await this.signals.of(networkId, [chunk.clientId], chunk.receivedAt.getTime()))(
      chunk.clientId,
    );
    const breakdown = { ...streamScore(chunk.audioScore, device.signals), score: chunk.score };
    const holder = await this.reads.floorHolder(networkId, await this.floors.get(networkId));
    this.logger.info('stream_chunk_replayed', { network_id: networkId, chunk_id: chunk.id });
    const decisionDueAt = new Date(
      Math.max(chunk.alignedEnd.getTime(), chunk.receivedAt.getTime()) + this.cfg.arbitrationWindowMs,
    );
    return { chunk, breakdown, holder, decisionDueAt, replayed: true };
  }

  private activeStreamsHere(): number {
    const cutoff = Date.now() - this.cfg.inactiveAfterMs;
    for (const [id, at] of this.recentStreams) if (at < cutoff) this.recentStreams.delete(id);
    return this.recentStreams.size;
  }
}

function contentHash(bytes: Buffer, capturedAt: Date): string {
  return createHash('sha256').update(bytes).update(`|${capturedAt.getTime()}`).digest('hex');
}

/** The quality estimated at ingestion as the chunk and stream rows store it. */
function qualityColumns(q: QualityReport) {
  return {
    qualityBasis: 'energy' as const,
    audioScore: q.score,
    snrDb: q.snr_db,
    clarity: q.clarity,
    rms: q.rms,
    clippingRatio: q.clipping_ratio,
    speechRatio: q.speech_ratio,
  };
}
