import { Injectable } from '@nestjs/common';
import { pcm16ToFloat } from '@mira/core';
import { StreamChunkRepository } from './stream-chunk.repository.js';
import type { ChunkForProcessing } from './stream.types.js';

/** Stored chunks as other modules need them: the utterance pipeline reads and releases a winner's audio. */
@Injectable()
export class StreamChunkService {
  constructor(private readonly chunks: StreamChunkRepository) {}

  /** A chunk's audio and metadata; null when the chunk is not in this network or its audio was already released. */
  async loadChunkForProcessing(networkId: string, chunkId: string): Promise<ChunkForProcessing | null> {
    const chunk = await this.chunks.findWithAudio(networkId, chunkId);
    if (!chunk?.audio) return null;
    return {
      chunkId: chunk.id,
      streamId: chunk.streamId,
      clientId: chunk.clientId,
      capturedAt: chunk.capturedAt,
      samples: pcm16ToFloat(chunk.audio),
      quality: {
        score: chunk.audioScore,
        snr_db: chunk.snrDb,
        clarity: chunk.clarity,
        rms: chunk.rms,
        clipping_ratio: chunk.clippingRatio,
        speech_ratio: chunk.speechRatio,
      },
      alignedCapturedAt: chunk.alignedStart,
    };
  }

  /** Drops a processed chunk's audio (UtteranceProcessor calls this once late copies can no longer need it). */
  releaseChunkAudio(networkId: string, chunkId: string): Promise<void> {
    return this.chunks.releaseAudio(networkId, chunkId);
  }
}
