/** What a client sees of a long background job it started (a recording's processing). */
export interface Task {
  id: string;
  /** The job's name (`recording.process`). */
  type: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** 0–1; 1 once done. */
  progress: number;
  /** Why it failed or was cancelled (a failing run that will be retried shows its error while queued again). */
  error: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}
