import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Conversation } from './conversation.types.js';

/** The conversations table (see Conversation). */
@Entity({ name: 'conversations' })
export class ConversationEntity implements Conversation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @Column({ type: 'text', nullable: true })
  topicSummary: string | null;

  @Column({ type: 'text', nullable: true })
  contextSummary: string | null;

  /** How the summaries were made: 'llm' or 'extractive' (null while none exists). */
  @Column({ type: 'text', nullable: true })
  summaryKind: 'llm' | 'extractive' | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
