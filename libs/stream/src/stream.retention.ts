import { Injectable } from '@nestjs/common';
import type { RetentionTarget } from '@mira/retention';
import { StreamChunkRepository } from './stream-chunk.repository.js';

/** Stored audio lives in stream_chunks.audio until a chunk is decided; old decided chunks go with their audio. */
@Injectable()
export class StreamChunkRetention implements RetentionTarget {
  readonly retentionName = 'stream_chunks';

  constructor(private readonly chunks: StreamChunkRepository) {}

  purgeBefore(networkId: string, cutoff: Date): Promise<number> {
    return this.chunks.deleteDecidedBefore(networkId, cutoff);
  }
}
