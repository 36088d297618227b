import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { VoiceprintSource, VoiceSample } from './voiceprint.types.js';

/** One voice sample's embedding, encrypted (AES-256-GCM); the plain vector is never stored or returned. */
@Entity({ name: 'voiceprints' })
export class VoiceprintEntity implements VoiceSample {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'uuid' })
  personId: string;

  /** The speaker model that made the embedding: only embeddings of the same model are ever compared. */
  @Column({ type: 'text' })
  modelId: string;

  @Column({ type: 'int' })
  dimension: number;

  @Column({ type: 'bytea' })
  embeddingEncrypted: Buffer;

  /** Enrolment samples: the same voice heard through noise and the denoiser (matched against noisy utterances). */
  @Column({ type: 'bytea', nullable: true })
  noisyEmbeddingEncrypted: Buffer | null;

  @Column({ type: 'real' })
  speechSeconds: number;

  @Column({ type: 'text' })
  source: VoiceprintSource;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'uuid', nullable: true })
  sourceInteractionId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
