import { ApiProperty } from '@nestjs/swagger';

const STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;

export class TaskDto {
  @ApiProperty({ format: 'uuid' })
  task_id: string;

  @ApiProperty({ example: 'recording.process', description: 'What the task does' })
  type: string;

  @ApiProperty({
    enum: STATUSES,
    description:
      'queued (waiting, also between retries), running, done, failed (after its last attempt), cancelled',
  })
  status: (typeof STATUSES)[number];

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42, description: 'Share of the work done' })
  progress: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the task failed or was cancelled; while queued after a failed run, that run’s error',
  })
  error: string | null;

  @ApiProperty({ description: 'Runs started so far (a run cut short by a crash or a restart counts)' })
  attempts: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  finished_at: string | null;
}
