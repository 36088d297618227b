import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An upload being decoded right now, committed before the decoding starts so that the arbitration on any instance
 * can wait for copies that arrived before its deadline. Removed in the transaction that stores the chunk.
 */
@Entity({ name: 'stream_ingests' })
export class StreamIngestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'timestamptz' })
  startedAt: Date;
}
