import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Someone who speaks in a network. Unnamed persons (created by the pipeline) are labelled "Person {index}". */
@Entity({ name: 'persons' })
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  /** Per-network number ("Person 3"), unique in the network, never reused after a delete. */
  @Column({ type: 'integer', name: 'index' })
  index: number;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
