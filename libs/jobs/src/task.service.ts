import { Injectable } from '@nestjs/common';
import { AppError } from '@mira/core';
import { TASK_JOBS } from './job-catalogue.js';
import { JobsRepository } from './jobs.repository.js';
import type { Task } from './task.types.js';

export const TaskErrors = {
  notFound: () => new AppError('TASK_NOT_FOUND', 'Task not found in network', 404),
};

/** The client's view of its long background jobs (TASK_JOBS): status, progress and error. */
@Injectable()
export class TaskService {
  constructor(private readonly repository: JobsRepository) {}

  async get(networkId: string, taskId: string): Promise<Task> {
    const row = await this.repository.findTask(networkId, taskId, [...TASK_JOBS]);
    if (!row) throw TaskErrors.notFound();
    const done = row.status === 'done';
    return {
      id: row.id,
      type: row.type,
      status: row.status,
      progress: done ? 1 : (row.progress ?? 0),
      error: done ? null : row.lastError,
      attempts: row.attempts,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      finishedAt: row.finishedAt,
    };
  }
}
