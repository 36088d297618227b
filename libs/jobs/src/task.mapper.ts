import type { TaskDto } from './dto/task.dto.js';
import type { Task } from './task.types.js';

export function toTaskDto(task: Task): TaskDto {
  return {
    task_id: task.id,
    type: task.type,
    status: task.status,
    progress: Math.round(task.progress * 1000) / 1000,
    error: task.error,
    attempts: task.attempts,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
    finished_at: task.finishedAt?.toISOString() ?? null,
  };
}
