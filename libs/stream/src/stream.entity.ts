import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-column.js';
import type { QualityBasis, Stream } from './stream.types.js';

/** The streams table (see Stream). */
@Entity({ name: 'streams' })
export class StreamEntity implements Stream {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'text' })
  streamId: string;

  @Column({ type: 'text' })
  clientId: string;

  @Column({ type: 'double precision', nullable: true })
  clockOffsetMs: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastReceivedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastCapturedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  lastChunkId: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  lastSeq: number | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  chunkCount: number;

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

  @Column({ type: 'text', default: 'vad' })
  qualityBasis: QualityBasis;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
