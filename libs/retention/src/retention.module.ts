import { Global, Module } from '@nestjs/common';
import { InteractionModule } from '@mira/interaction';
import { NetworkModule } from '@mira/network';
import { StreamModule } from '@mira/stream';
import { RetentionRegistry } from './retention.registry.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService } from './retention.service.js';
import { RetentionTargets } from './retention.targets.js';

/** Data retention; global so domains can register what the sweep removes. */
@Global()
@Module({
  imports: [NetworkModule, InteractionModule, StreamModule],
  providers: [RetentionRegistry, RetentionRepository, RetentionService, RetentionTargets],
  exports: [RetentionRegistry, RetentionService],
})
export class RetentionModule {}
