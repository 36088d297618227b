import { Injectable } from '@nestjs/common';
import type { RetentionTarget } from '@mira/retention';
import { RecordingRepository } from './recording.repository.js';

/**
 * Recordings (with their turns and any audio still stored) go once older than the network's retention, like
 * chunks; an upload that never finished arriving goes after a day. The interactions made from them follow the
 * interactions' own retention.
 */
@Injectable()
export class RecordingRetention implements RetentionTarget {
  readonly retentionName = 'recordings';

  constructor(private readonly repository: RecordingRepository) {}

  purgeBefore(networkId: string, cutoff: Date): Promise<number> {
    return this.repository.purgeBefore(networkId, cutoff);
  }
}
