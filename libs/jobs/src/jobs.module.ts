import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobEntity } from './job.entity.js';
import { JobQueue } from './job-queue.service.js';
import { JobsRepository } from './jobs.repository.js';
import { JobHandlerExplorer } from './on-job.js';

/**
 * The PostgreSQL job queue, one per process. Modules that enqueue import it; handlers are `@OnJob` methods anywhere,
 * found at boot.
 */
@Module({
  imports: [TypeOrmModule.forFeature([JobEntity]), DiscoveryModule],
  providers: [JobsRepository, JobQueue, JobHandlerExplorer],
  exports: [JobQueue],
})
export class JobsModule {}
