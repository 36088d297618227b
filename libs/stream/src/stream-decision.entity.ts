import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One arbitration decision: the window it covered, the winner (if any) and the features it was made on. */
@Entity({ name: 'stream_decisions' })
export class StreamDecisionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'timestamptz' })
  windowStart: Date;

  @Column({ type: 'timestamptz' })
  windowEnd: Date;

  @Column({ type: 'uuid', nullable: true })
  winnerChunkId: string | null;

  @Column({ type: 'text', nullable: true })
  winnerStreamId: string | null;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'integer' })
  candidateCount: number;

  /** The candidates' scores and the floor state, for evaluating the policy later. */
  @Column({ type: 'jsonb' })
  features: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
