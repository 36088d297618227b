import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ChunkStatus } from './stream.entity.js';

export interface StreamRow {
  id: string;
  networkId: string;
  streamId: string;
  clientId: string;
  clockOffsetMs: number | null;
  lastReceivedAt: Date | null;
  lastCapturedAt: Date | null;
  lastChunkId: string | null;
  lastSeq: number | null;
  chunkCount: number;
  audioScore: number | null;
  snrDb: number | null;
  clarity: number | null;
  rms: number | null;
  clippingRatio: number | null;
  speechRatio: number | null;
}

export interface ChunkRow {
  id: string;
  networkId: string;
  streamRowId: string;
  streamId: string;
  clientId: string;
  seq: number | null;
  idempotencyKey: string | null;
  contentSha256: string;
  capturedAt: Date;
  receivedAt: Date;
  alignedStart: Date;
  alignedEnd: Date;
  durationMs: number;
  format: string;
  audioScore: number;
  snrDb: number;
  clarity: number;
  rms: number;
  clippingRatio: number;
  speechRatio: number;
  score: number;
  status: ChunkStatus;
  decisionId: string | null;
  decisionReason: string | null;
}

/** What ingestion stores: a chunk row before any decision, plus its metadata and audio. */
export type NewChunk = Omit<ChunkRow, 'id' | 'status' | 'decisionId' | 'decisionReason'> & {
  metadata: Record<string, unknown> | null;
  audio: Buffer;
};

export interface FloorRow {
  networkId: string;
  holderStreamRowId: string | null;
  holderSince: Date | null;
  lastUntil: Date | null;
}

export interface SignalsRow {
  clientId: string;
  latitude: number | null;
  longitude: number | null;
  accuracyM: number | null;
  locationAt: Date | null;
  rssiDbm: number | null;
  rssiFrom: string | null;
  rssiAt: Date | null;
}

export interface DecisionRecord {
  networkId: string;
  windowStart: Date;
  windowEnd: Date;
  winnerChunkId: string | null;
  winnerStreamId: string | null;
  reason: string;
  candidateCount: number;
  features: Record<string, unknown>;
}

const CHUNK_COLUMNS = `id, network_id, stream_row_id, stream_id, client_id, seq, idempotency_key, content_sha256,
  captured_at, received_at, aligned_start, aligned_end, duration_ms, format, audio_score, snr_db, clarity, rms,
  clipping_ratio, speech_ratio, score, status, decision_id, decision_reason`;

type Raw = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

function toStream(r: Raw): StreamRow {
  return {
    id: r.id as string,
    networkId: r.network_id as string,
    streamId: r.stream_id as string,
    clientId: r.client_id as string,
    clockOffsetMs: num(r.clock_offset_ms),
    lastReceivedAt: date(r.last_received_at),
    lastCapturedAt: date(r.last_captured_at),
    lastChunkId: (r.last_chunk_id as string | null) ?? null,
    lastSeq: num(r.last_seq),
    chunkCount: Number(r.chunk_count ?? 0),
    audioScore: num(r.audio_score),
    snrDb: num(r.snr_db),
    clarity: num(r.clarity),
    rms: num(r.rms),
    clippingRatio: num(r.clipping_ratio),
    speechRatio: num(r.speech_ratio),
  };
}

function toChunk(r: Raw): ChunkRow {
  return {
    id: r.id as string,
    networkId: r.network_id as string,
    streamRowId: r.stream_row_id as string,
    streamId: r.stream_id as string,
    clientId: r.client_id as string,
    seq: num(r.seq),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    contentSha256: r.content_sha256 as string,
    capturedAt: date(r.captured_at) as Date,
    receivedAt: date(r.received_at) as Date,
    alignedStart: date(r.aligned_start) as Date,
    alignedEnd: date(r.aligned_end) as Date,
    durationMs: Number(r.duration_ms),
    format: r.format as string,
    audioScore: Number(r.audio_score),
    snrDb: Number(r.snr_db),
    clarity: Number(r.clarity),
    rms: Number(r.rms),
    clippingRatio: Number(r.clipping_ratio),
    speechRatio: Number(r.speech_ratio),
    score: Number(r.score),
    status: r.status as ChunkStatus,
    decisionId: (r.decision_id as string | null) ?? null,
    decisionReason: (r.decision_reason as string | null) ?? null,
  };
}

function toFloor(r: Raw): FloorRow {
  return {
    networkId: r.network_id as string,
    holderStreamRowId: (r.holder_stream_row_id as string | null) ?? null,
    holderSince: date(r.holder_since),
    lastUntil: date(r.last_until),
  };
}

function toSignals(r: Raw): SignalsRow {
  return {
    clientId: r.client_id as string,
    latitude: num(r.latitude),
    longitude: num(r.longitude),
    accuracyM: num(r.accuracy_m),
    locationAt: date(r.location_at),
    rssiDbm: num(r.rssi_dbm),
    rssiFrom: (r.rssi_from as string | null) ?? null,
    rssiAt: date(r.rssi_at),
  };
}

/** The only SQL of the streams domain. Every statement is scoped by network_id. */
@Injectable()
export class StreamRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private runner(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async findStream(networkId: string, streamId: string, manager?: EntityManager): Promise<StreamRow | null> {
    const rows = (await this.runner(manager).query(
      `SELECT * FROM streams WHERE network_id = $1 AND stream_id = $2`,
      [networkId, streamId],
    )) as Raw[];
    return rows[0] ? toStream(rows[0]) : null;
  }

  async listStreams(networkId: string): Promise<StreamRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM streams WHERE network_id = $1 ORDER BY stream_id LIMIT 1000`,
      [networkId],
    )) as Raw[];
    return rows.map(toStream);
  }

  async listStreamsOfClient(networkId: string, clientId: string): Promise<StreamRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM streams WHERE network_id = $1 AND client_id = $2 ORDER BY stream_id`,
      [networkId, clientId],
    )) as Raw[];
    return rows.map(toStream);
  }

  async findStreamsByRowIds(networkId: string, ids: string[]): Promise<StreamRow[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT * FROM streams WHERE network_id = $1 AND id = ANY($2::uuid[])`,
      [networkId, ids],
    )) as Raw[];
    return rows.map(toStream);
  }

  /** Creates the stream on first use and locks its row for the rest of the transaction. */
  async lockOrCreateStream(
    manager: EntityManager,
    networkId: string,
    streamId: string,
    clientId: string,
  ): Promise<StreamRow> {
    await manager.query(
      `INSERT INTO streams (network_id, stream_id, client_id) VALUES ($1, $2, $3)
       ON CONFLICT (network_id, stream_id) DO NOTHING`,
      [networkId, streamId, clientId],
    );
    const rows = (await manager.query(
      `SELECT * FROM streams WHERE network_id = $1 AND stream_id = $2 FOR UPDATE`,
      [networkId, streamId],
    )) as Raw[];
    return toStream(rows[0] as Raw);
  }

  async updateStreamAfterChunk(manager: EntityManager, stream: StreamRow, chunk: NewChunk & { id: string }) {
    await manager.query(
      `UPDATE streams SET clock_offset_ms = $3, last_received_at = $4, last_captured_at = $5, last_chunk_id = $6,
              last_seq = COALESCE($7, last_seq), chunk_count = chunk_count + 1, audio_score = $8, snr_db = $9,
              clarity = $10, rms = $11, clipping_ratio = $12, speech_ratio = $13, updated_at = now()
       WHERE network_id = $1 AND id = $2`,
      [
        stream.networkId,
        stream.id,
        stream.clockOffsetMs,
        chunk.receivedAt,
        chunk.capturedAt,
        chunk.id,
        chunk.seq,
        chunk.audioScore,
        chunk.snrDb,
        chunk.clarity,
        chunk.rms,
        chunk.clippingRatio,
        chunk.speechRatio,
      ],
    );
  }

  /** Inserts the chunk with its audio; null when the same seq or Idempotency-Key already exists (a retry). */
  async insertChunk(manager: EntityManager, c: NewChunk): Promise<string | null> {
    const rows = (await manager.query(
      `INSERT INTO stream_chunks (network_id, stream_row_id, stream_id, client_id, seq, idempotency_key,
         content_sha256, captured_at, received_at, aligned_start, aligned_end, duration_ms, format, audio_score,
         snr_db, clarity, rms, clipping_ratio, speech_ratio, score, metadata, audio)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        c.networkId,
        c.streamRowId,
        c.streamId,
        c.clientId,
        c.seq,
        c.idempotencyKey,
        c.contentSha256,
        c.capturedAt,
        c.receivedAt,
        c.alignedStart,
        c.alignedEnd,
        c.durationMs,
        c.format,
        c.audioScore,
        c.snrDb,
        c.clarity,
        c.rms,
        c.clippingRatio,
        c.speechRatio,
        c.score,
        c.metadata === null ? null : JSON.stringify(c.metadata),
        c.audio,
      ],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  async findChunkBySeq(networkId: string, streamId: string, seq: number): Promise<ChunkRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${CHUNK_COLUMNS} FROM stream_chunks
       WHERE network_id = $1 AND stream_row_id = (SELECT id FROM streams WHERE network_id = $1 AND stream_id = $2)
         AND seq = $3`,
      [networkId, streamId, seq],
    )) as Raw[];
    return rows[0] ? toChunk(rows[0]) : null;
  }

  async findChunkByIdempotencyKey(
    networkId: string,
    clientId: string,
    key: string,
  ): Promise<ChunkRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${CHUNK_COLUMNS} FROM stream_chunks WHERE network_id = $1 AND client_id = $2 AND idempotency_key = $3`,
      [networkId, clientId, key],
    )) as Raw[];
    return rows[0] ? toChunk(rows[0]) : null;
  }

  async findChunk(networkId: string, chunkId: string, manager?: EntityManager): Promise<ChunkRow | null> {
    const rows = (await this.runner(manager).query(
      `SELECT ${CHUNK_COLUMNS} FROM stream_chunks WHERE network_id = $1 AND id = $2`,
      [networkId, chunkId],
    )) as Raw[];
    return rows[0] ? toChunk(rows[0]) : null;
  }

  async findChunkWithAudio(
    networkId: string,
    chunkId: string,
  ): Promise<{ chunk: ChunkRow; audio: Buffer | null } | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${CHUNK_COLUMNS}, audio FROM stream_chunks WHERE network_id = $1 AND id = $2`,
      [networkId, chunkId],
    )) as Raw[];
    if (!rows[0]) return null;
    return { chunk: toChunk(rows[0]), audio: (rows[0].audio as Buffer | null) ?? null };
  }

  async loadAudio(
    manager: EntityManager,
    networkId: string,
    chunkIds: string[],
  ): Promise<Map<string, Buffer>> {
    if (chunkIds.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT id, audio FROM stream_chunks WHERE network_id = $1 AND id = ANY($2::uuid[]) AND audio IS NOT NULL`,
      [networkId, chunkIds],
    )) as { id: string; audio: Buffer }[];
    return new Map(rows.map((r) => [r.id, r.audio]));
  }

  /** Chunks with one of the statuses whose aligned interval overlaps [startMs, endMs). */
  async findOverlapping(
    manager: EntityManager,
    networkId: string,
    start: Date,
    end: Date,
    statuses: ChunkStatus[],
    maxChunkMs: number,
  ): Promise<ChunkRow[]> {
    const rows = (await manager.query(
      `SELECT ${CHUNK_COLUMNS} FROM stream_chunks
       WHERE network_id = $1 AND status = ANY($2::text[])
         AND aligned_start < $4 AND aligned_start > ($3::timestamptz - ($5::int * interval '1 millisecond'))
         AND aligned_end > $3
       ORDER BY aligned_start, id LIMIT 200`,
      [networkId, statuses, start, end, maxChunkMs],
    )) as Raw[];
    return rows.map(toChunk);
  }

  async markChunks(
    manager: EntityManager,
    networkId: string,
    chunkIds: string[],
    status: ChunkStatus,
    decisionId: string,
    reason: string,
    dropAudio: boolean,
  ): Promise<void> {
    if (chunkIds.length === 0) return;
    await manager.query(
      `UPDATE stream_chunks SET status = $3, decision_id = $4, decision_reason = $5, decided_at = now(),
              audio = CASE WHEN $6::boolean THEN NULL ELSE audio END
       WHERE network_id = $1 AND id = ANY($2::uuid[]) AND status = 'pending'`,
      [networkId, chunkIds, status, decisionId, reason, dropAudio],
    );
  }

  /** Retention: deletes a network's decided chunks (with any audio they still hold) received before `cutoff`. */
  async deleteDecidedChunksBefore(networkId: string, cutoff: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM stream_chunks WHERE network_id = $1 AND received_at < $2 AND status <> 'pending'`,
      [networkId, cutoff],
    )) as [unknown, number];
    return Number(count ?? 0);
  }

  async releaseAudio(networkId: string, chunkId: string): Promise<void> {
    await this.dataSource.query(`UPDATE stream_chunks SET audio = NULL WHERE network_id = $1 AND id = $2`, [
      networkId,
      chunkId,
    ]);
  }

  async insertDecision(manager: EntityManager, d: DecisionRecord): Promise<string> {
    const rows = (await manager.query(
      `INSERT INTO stream_decisions (network_id, window_start, window_end, winner_chunk_id, winner_stream_id, reason,
         candidate_count, features)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        d.networkId,
        d.windowStart,
        d.windowEnd,
        d.winnerChunkId,
        d.winnerStreamId,
        d.reason,
        d.candidateCount,
        JSON.stringify(d.features),
      ],
    )) as { id: string }[];
    return (rows[0] as { id: string }).id;
  }

  async getFloor(networkId: string, manager?: EntityManager): Promise<FloorRow> {
    const rows = (await this.runner(manager).query(`SELECT * FROM stream_floors WHERE network_id = $1`, [
      networkId,
    ])) as Raw[];
    return rows[0]
      ? toFloor(rows[0])
      : { networkId, holderStreamRowId: null, holderSince: null, lastUntil: null };
  }

  /** The network's floor row, created on first use and locked FOR UPDATE: arbitration is serial per network. */
  async lockFloor(manager: EntityManager, networkId: string): Promise<FloorRow> {
    await manager.query(
      `INSERT INTO stream_floors (network_id) VALUES ($1) ON CONFLICT (network_id) DO NOTHING`,
      [networkId],
    );
    const rows = (await manager.query(`SELECT * FROM stream_floors WHERE network_id = $1 FOR UPDATE`, [
      networkId,
    ])) as Raw[];
    return toFloor(rows[0] as Raw);
  }

  async saveFloor(manager: EntityManager, floor: FloorRow): Promise<void> {
    await manager.query(
      `UPDATE stream_floors SET holder_stream_row_id = $2, holder_since = $3, last_until = $4,
              decisions = decisions + 1, updated_at = now()
       WHERE network_id = $1`,
      [floor.networkId, floor.holderStreamRowId, floor.holderSince, floor.lastUntil],
    );
  }

  async getSignals(networkId: string, clientIds: string[], manager?: EntityManager): Promise<SignalsRow[]> {
    if (clientIds.length === 0) return [];
    const rows = (await this.runner(manager).query(
      `SELECT * FROM stream_client_signals WHERE network_id = $1 AND client_id = ANY($2::text[])`,
      [networkId, clientIds],
    )) as Raw[];
    return rows.map(toSignals);
  }

  async upsertLocation(
    networkId: string,
    clientId: string,
    location: { latitude: number; longitude: number; accuracy: number | null },
  ): Promise<SignalsRow> {
    const rows = (await this.dataSource.query(
      `INSERT INTO stream_client_signals (network_id, client_id, latitude, longitude, accuracy_m, location_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (network_id, client_id) DO UPDATE SET latitude = EXCLUDED.latitude,
         longitude = EXCLUDED.longitude, accuracy_m = EXCLUDED.accuracy_m, location_at = EXCLUDED.location_at,
         updated_at = now()
       RETURNING *`,
      [networkId, clientId, location.latitude, location.longitude, location.accuracy],
    )) as Raw[];
    return toSignals(rows[0] as Raw);
  }

  async upsertRssi(networkId: string, clientId: string, rssi: number, from: string): Promise<SignalsRow> {
    const rows = (await this.dataSource.query(
      `INSERT INTO stream_client_signals (network_id, client_id, rssi_dbm, rssi_from, rssi_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (network_id, client_id) DO UPDATE SET rssi_dbm = EXCLUDED.rssi_dbm,
         rssi_from = EXCLUDED.rssi_from, rssi_at = EXCLUDED.rssi_at, updated_at = now()
       RETURNING *`,
      [networkId, clientId, rssi, from],
    )) as Raw[];
    return toSignals(rows[0] as Raw);
  }

  /** Marks an upload as being decoded (committed at once, so other instances' arbitration can see it). */
  async beginIngest(networkId: string, startedAt: Date): Promise<string> {
    const rows = (await this.dataSource.query(
      `INSERT INTO stream_ingests (network_id, started_at) VALUES ($1, $2) RETURNING id`,
      [networkId, startedAt],
    )) as { id: string }[];
    return (rows[0] as { id: string }).id;
  }

  async endIngest(networkId: string, id: string, manager?: EntityManager): Promise<void> {
    await this.runner(manager).query(`DELETE FROM stream_ingests WHERE network_id = $1 AND id = $2`, [
      networkId,
      id,
    ]);
  }

  /** Forgets markers of uploads that died (process crash) long ago. */
  async purgeStaleIngests(networkId: string, before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM stream_ingests WHERE network_id = $1 AND started_at < $2`, [
      networkId,
      before,
    ]);
  }

  /** Uploads received in [since, until] that are still being decoded. */
  async countIngesting(networkId: string, since: Date, until: Date): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM stream_ingests WHERE network_id = $1 AND started_at >= $2 AND started_at <= $3`,
      [networkId, since, until],
    )) as { n: number }[];
    return Number(rows[0]?.n ?? 0);
  }

  /** Streams that sent a chunk recently, across all networks (for the active-streams gauge). */
  async countActiveStreams(since: Date): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM streams WHERE last_received_at >= $1`,
      [since],
    )) as { n: number }[];
    return Number(rows[0]?.n ?? 0);
  }
}
