import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Speech of an unknown voice, kept (encrypted, like a voiceprint) until enough of the same voice gathers into one new
 * person (voice-gathering.ts). It belongs to the utterance it came from and goes with it.
 */
@Entity({ name: 'unattributed_voices' })
export class UnattributedVoiceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'text' })
  modelId: string;

  @Column({ type: 'int' })
  dimension: number;

  @Column({ type: 'bytea' })
  embeddingEncrypted: Buffer;

  @Column({ type: 'real' })
  speechSeconds: number;

  @Column({ type: 'uuid' })
  interactionId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
