import { Injectable, OnModuleInit } from '@nestjs/common';
import { InteractionService } from '@mira/interaction';
import { StreamService } from '@mira/stream';
import { RetentionRegistry } from './retention.registry.js';

/** Registers what the sweep removes from the domains merged so far (interactions by occurred_at, stream chunks and their audio by received_at). */
@Injectable()
export class RetentionTargets implements OnModuleInit {
  constructor(
    private readonly registry: RetentionRegistry,
    private readonly interactions: InteractionService,
    private readonly streams: StreamService,
  ) {}

  onModuleInit(): void {
    this.registry.register('interactions', (networkId, cutoff) =>
      this.interactions.purgeOccurredBefore(networkId, cutoff),
    );
    // Stored audio lives in stream_chunks.audio until a chunk is decided; old chunks go with their audio.
    this.registry.register('stream_chunks', (networkId, cutoff) =>
      this.streams.purgeChunksReceivedBefore(networkId, cutoff),
    );
  }
}
