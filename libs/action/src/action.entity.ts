import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Action, ActionKind, ActionStatus } from './action.types.js';

/** The actions table (see Action). */
@Entity({ name: 'actions' })
export class ActionEntity implements Action {
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
