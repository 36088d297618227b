import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A device's audio stream in a network (named by the device; usually its client id). */
@Entity({ name: 'streams' })
export class StreamEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'text' })
  streamId: string;

  /** The registered device that owns the stream. */
  @Column({ type: 'text' })
  clientId: string;

  /** Estimated server clock minus device clock (includes the fastest observed network delay). */
  @Column({ type: 'double precision', nullable: true })
  clockOffsetMs: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastReceivedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastCapturedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  lastChunkId: string | null;

  @Column({ type: 'bigint', nullable: true })
  lastSeq: string | null;

  @Column({ type: 'bigint', default: 0 })
  chunkCount: string;

  @Column({ type: 'double precision', nullable: true })
  audioScore: number | null;

  @Column({ type: 'double precision', nullable: true })
  snrDb: number | null;

  @Column({ type: 'double precision', nullable: true })
  clarity: number | null;

  @Column({ type: 'double precision', nullable: true })
  rms: number | null;

  @Column({ type: 'double precision', nullable: true })
  clippingRatio: number | null;

  @Column({ type: 'double precision', nullable: true })
  speechRatio: number | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

export type ChunkStatus = 'pending' | 'won' | 'lost' | 'silent';

/** One uploaded chunk: its timing, quality and (until decided, or processed when it won) its decoded audio. */
@Entity({ name: 'stream_chunks' })
export class StreamChunkEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'uuid' })
  streamRowId: string;

  @Column({ type: 'text' })
  streamId: string;

  @Column({ type: 'text' })
  clientId: string;

  @Column({ type: 'bigint', nullable: true })
  seq: string | null;

  @Column({ type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'text' })
  contentSha256: string;

  /** The device's timestamp of the first sample. */
  @Column({ type: 'timestamptz' })
  capturedAt: Date;

  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  /** The capture interval on the server's clock. */
  @Column({ type: 'timestamptz' })
  alignedStart: Date;

  @Column({ type: 'timestamptz' })
  alignedEnd: Date;

  @Column({ type: 'integer' })
  durationMs: number;

  @Column({ type: 'text' })
  format: string;

  @Column({ type: 'double precision' })
  audioScore: number;

  @Column({ type: 'double precision' })
  snrDb: number;

  @Column({ type: 'double precision' })
  clarity: number;

  @Column({ type: 'double precision' })
  rms: number;

  @Column({ type: 'double precision' })
  clippingRatio: number;

  @Column({ type: 'double precision' })
  speechRatio: number;

  /** Stream score at ingestion (audio plus phone signals). */
  @Column({ type: 'double precision' })
  score: number;

  @Column({ type: 'jsonb', nullable: true })
  metadata: Record<string, unknown> | null;

  @Column({ type: 'text', default: 'pending' })
  status: ChunkStatus;

  @Column({ type: 'uuid', nullable: true })
  decisionId: string | null;

  @Column({ type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  /** PCM16LE mono 16 kHz; dropped once the chunk lost or was silent. */
  @Column({ type: 'bytea', nullable: true, select: false })
  audio: Buffer | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** Who holds the floor in a network; the arbitration locks this row (SELECT … FOR UPDATE). */
@Entity({ name: 'stream_floors' })
export class StreamFloorEntity {
  @PrimaryColumn({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'uuid', nullable: true })
  holderStreamRowId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  holderSince: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUntil: Date | null;

  @Column({ type: 'bigint', default: 0 })
  decisions: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** Location and RSSI reported by phones about a device. */
@Entity({ name: 'stream_client_signals' })
export class StreamClientSignalsEntity {
  @PrimaryColumn({ type: 'uuid' })
  networkId: string;

  @PrimaryColumn({ type: 'text' })
  clientId: string;

  @Column({ type: 'double precision', nullable: true })
  latitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  accuracyM: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  locationAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  rssiDbm: number | null;

  @Column({ type: 'text', nullable: true })
  rssiFrom: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  rssiAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
