import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobEntity } from './job.entity.js';
import { JobQueue } from './job-queue.service.js';
import { JobsRepository } from './jobs.repository.js';
import { JobHandlerExplorer } from './on-job.js';
import { TaskService } from './task.service.js';
import { TasksController } from './tasks.controller.js';

/**
 * The PostgreSQL job queue, one per process. Modules that enqueue import it; handlers are `@OnJob` methods anywhere,
 * found at boot. Jobs a client follows (TASK_JOBS) are readable at GET /{network_id}/tasks/{task_id}.
 */
@Module({
  imports: [TypeOrmModule.forFeature([JobEntity]), DiscoveryModule],
  controllers: [TasksController],
  providers: [JobsRepository, JobQueue, JobHandlerExplorer, TaskService],
  exports: [JobQueue],
})
export class JobsModule {}
