import { Injectable } from '@nestjs/common';
import type { RetentionTarget } from '@mira/retention';
import { InteractionRepository } from './interaction.repository.js';

/** Interactions that occurred before the network's retention are deleted (and tombstoned for sync). */
@Injectable()
export class InteractionRetention implements RetentionTarget {
  readonly retentionName = 'interactions';

  constructor(private readonly repository: InteractionRepository) {}

  purgeBefore(networkId: string, cutoff: Date): Promise<number> {
    return this.repository.deleteOccurredBefore(networkId, cutoff);
  }
}
