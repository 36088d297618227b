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

  /** ISO 639-1 code of the language the content is indexed in for search (the network's language when written). */
  @Column({ type: 'text', default: 'en' })
  searchLanguage: string;

  /** The content's words for full-text search, computed by PostgreSQL; only search SQL reads it. */
  @Column({
    type: 'tsvector',
    generatedType: 'STORED',
    asExpression: "to_tsvector(mira_search_config(search_language), coalesce(content, ''))",
    nullable: true,
    select: false,
    insert: false,
    update: false,
  })
  searchVector?: string;

  /** When it was said (the utterance pipeline sets the capture time); defaults to the insert time. */
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

  @Column({ type: 'uuid', nullable: true })
  sourceRecordingId: string | null;

  @Column({ type: 'int', default: 0 })
  sourceTurn: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
