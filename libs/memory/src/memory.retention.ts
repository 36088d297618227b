import { Injectable } from '@nestjs/common';
import type { RetentionTarget } from '@mira/retention';
import { MemoryRepository } from './memory.repository.js';

/** Memories leave once they expire (expires_at passed) or once they are older than the network's retention. */
@Injectable()
export class MemoryRetention implements RetentionTarget {
  readonly retentionName = 'memories';

  constructor(private readonly repository: MemoryRepository) {}

  purgeBefore(networkId: string, cutoff: Date): Promise<number> {
    return this.repository.deleteExpiredOrBefore(networkId, cutoff);
  }
}
