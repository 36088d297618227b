import { Injectable, OnModuleInit } from '@nestjs/common';
import { InteractionService } from '@mira/interaction';
import { RetentionRegistry } from './retention.registry.js';

/** Registers what the sweep removes from the domains merged so far (interactions by occurred_at). */
@Injectable()
export class RetentionTargets implements OnModuleInit {
  constructor(
    private readonly registry: RetentionRegistry,
    private readonly interactions: InteractionService,
  ) {}

  onModuleInit(): void {
    this.registry.register('interactions', (networkId, cutoff) =>
      this.interactions.purgeOccurredBefore(networkId, cutoff),
    );
  }
}
