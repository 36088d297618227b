import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-column.js';
import type { ChunkStatus, QualityBasis, StreamChunk } from './stream.types.js';

/** The stream_chunks table (see StreamChunk); the audio column is left out of reads unless asked for. */
@Entity({ name: 'stream_chunks' })
export class StreamChunkEntity implements StreamChunk {
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

  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  seq: number | null;

  @Column({ type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'text' })
  contentSha256: string;

  @Column({ type: 'timestamptz' })
  capturedAt: Date;

  @Column({ type: 'timestamptz' })
  receivedAt: Date;

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

  @Column({ type: 'text', default: 'vad' })
  qualityBasis: QualityBasis;

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

  @Column({ type: 'bytea', nullable: true, select: false })
  audio: Buffer | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
