import { Module } from '@nestjs/common';
import { AuditModule } from '@mira/audit';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService } from './retention.service.js';

/** Data retention: the scheduled sweep over every RetentionTarget that a module provides. */
@Module({
  imports: [NetworkModule, AuditModule, JobsModule],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
