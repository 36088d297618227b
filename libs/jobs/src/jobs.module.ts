import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobEntity } from './job.entity.js';
import { JobQueue } from './job-queue.service.js';
import { JobsRepository } from './jobs.repository.js';

/** The PostgreSQL job queue, one per process, shared by every domain. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([JobEntity])],
  providers: [JobsRepository, JobQueue],
  exports: [JobQueue],
})
export class JobsModule {}
