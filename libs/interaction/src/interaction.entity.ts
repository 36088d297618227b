import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type {
  Interaction,
  InteractionType,
  ProcessingStatus,
  TranscriptionStatus,
} from './interaction.types.js';

/** The interactions table (see Interaction). */
@Entity({ name: 'interactions' })
export class InteractionEntity implements Interaction {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  /** null = unknown speaker (or a deleted person: see metadata.deleted_person). */
  @Column({ type: 'uuid', nullable: true })
  personId: string | null;

  @Column({ type: 'uuid', nullable: true })
  conversationId: string | null;

  /** The transcript or message; null while untranscribed. */
  @Column({ type: 'text', nullable: true })
  content: string | null;

  @Column({ type: 'text' })
  interactionType: InteractionType;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  /** When it was said (the pipeline sets the capture time); defaults to the insert time. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ type: 'real', nullable: true })
  speakerConfidence: number | null;

  @Column({ type: 'text', nullable: true })
  transcriptionStatus: TranscriptionStatus | null;

  @Column({ type: 'text', nullable: true })
  processingStatus: ProcessingStatus | null;

  @Column({ type: 'text', nullable: true })
  sourceStreamId: string | null;

  @Column({ type: 'uuid', nullable: true })
  sourceChunkId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
