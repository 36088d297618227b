import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type {
  Recording,
  RecordingDiarization,
  RecordingSegment,
  RecordingStage,
  RecordingStatus,
  RecordingVoice,
} from './recording.types.js';

/** The recordings table (see Recording). */
@Entity({ name: 'recordings' })
export class RecordingEntity implements Recording {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'text', default: 'receiving' })
  status: RecordingStatus;

  @Column({ type: 'text', default: 'decode' })
  stage: RecordingStage;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;

  @Column({ type: 'text' })
  uploadedBy: string;

  @Column({ type: 'text', nullable: true })
  filename: string | null;

  @Column({ type: 'text', nullable: true })
  contentType: string | null;

  @Column({ type: 'text', nullable: true })
  format: string | null;

  @Column({
    type: 'bigint',
    default: 0,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  sourceBytes: number;

  @Column({ type: 'int', nullable: true })
  durationMs: number | null;

  @Column({ type: 'timestamptz' })
  recordedAt: Date;

  @Column({ type: 'uuid', nullable: true })
  conversationId: string | null;

  @Column({ type: 'jsonb', default: [] })
  speakers: RecordingVoice[];

  @Column({ type: 'jsonb', default: {} })
  diarization: RecordingDiarization;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** The recording_segments table (see RecordingSegment). */
@Entity({ name: 'recording_segments' })
export class RecordingSegmentEntity implements RecordingSegment {
  @PrimaryColumn({ type: 'uuid' })
  networkId: string;

  @PrimaryColumn({ type: 'uuid' })
  recordingId: string;

  @PrimaryColumn({ type: 'int' })
  index: number;

  @Column({ type: 'int' })
  startMs: number;

  @Column({ type: 'int' })
  endMs: number;

  @Column({ type: 'text' })
  speakerLabel: string;

  @Column({ type: 'uuid', nullable: true })
  personId: string | null;

  @Column({ type: 'text', nullable: true })
  text: string | null;

  @Column({ type: 'text', nullable: true })
  transcriptionStatus: string | null;

  @Column({ type: 'real', nullable: true })
  confidence: number | null;

  @Column({ type: 'uuid', nullable: true })
  interactionId: string | null;

  @Column({ type: 'text', default: 'pending' })
  status: 'pending' | 'done';
}
