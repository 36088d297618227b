import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ActionStatus = 'pending' | 'confirmed' | 'dismissed';
export type ActionKind = 'remind' | 'schedule' | 'contact';

/** Something the assistant found to do in an interaction (original-mira §3.10 schema). One per interaction. */
@Entity({ name: 'actions' })
export class ActionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'uuid' })
  interactionId: string;

  @Column({ type: 'uuid', nullable: true })
  personId: string | null;

  @Column({ type: 'uuid', nullable: true })
  conversationId: string | null;

  @Column({ type: 'text' })
  actionType: ActionKind;

  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  status: ActionStatus;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledTime: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedTime: Date | null;

  @Column({ type: 'text' })
  source: 'gemini' | 'rules';

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
