import { Global, Module } from '@nestjs/common';
import { NetworkModule } from '@mira/network';
import { RetentionRegistry } from './retention.registry.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService } from './retention.service.js';

/** Data retention; global so domains can register what the sweep removes. */
@Global()
@Module({
  imports: [NetworkModule],
  providers: [RetentionRegistry, RetentionRepository, RetentionService],
  exports: [RetentionRegistry, RetentionService],
})
export class RetentionModule {}
