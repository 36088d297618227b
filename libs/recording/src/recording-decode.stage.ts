import { Injectable } from '@nestjs/common';
import { AudioErrors, AudioService } from '@mira/audio';
import { AppConfig, Transactions } from '@mira/core';
import { RecordingAudioRepository } from './recording-audio.repository.js';
import { PcmPartWriter } from './recording-pcm.js';
import { RecordingRepository } from './recording.repository.js';
import type { Recording } from './recording.types.js';

/** How a stage reports progress: a share of its own work (0–1); the run maps it onto the task's progress. */
export type StageProgress = (fraction: number) => Promise<void>;

/**
 * Stage `decode`: the uploaded bytes, read part by part, through a decoder of their own (on a worker thread, so
 * decoding never blocks the event loop nor waits behind chunk uploads) → 16 kHz PCM16 parts. Restarts from the first
 * byte when resumed (decoding is cheap next to what follows); the uploaded bytes are dropped once decoded.
 */
@Injectable()
export class RecordingDecodeStage {
  constructor(
    private readonly audio: AudioService,
    private readonly parts: RecordingAudioRepository,
    private readonly recordings: RecordingRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
  ) {}

  async run(recording: Recording, progress: StageProgress): Promise<void> {
    const { networkId, id } = recording;
    await this.parts.drop(networkId, id, ['pcm', 'analysis']);
    const sources = await this.parts.list(networkId, id, 'source');
    const total = sources.reduce((sum, s) => sum + s.bytes, 0);
    const writer = new PcmPartWriter((index, data, meta) =>
      this.parts.put(networkId, id, 'pcm', { index, data, meta: { ...meta } }),
    );
    const decoder = this.audio.openRecordingDecoder({
      maxSeconds: this.config.values.recordings.maxSeconds,
      mimetype: recording.contentType ?? undefined,
    });
    let format;
    try {
      let read = 0;
      for (const source of sources) {
        const part = await this.parts.get(networkId, id, 'source', source.index);
        if (!part) throw new Error(`Part ${source.index} of the uploaded recording is missing`);
        for (const block of await decoder.push(part.data)) await writer.add(block);
        read += source.bytes;
        await progress(total > 0 ? read / total : 1);
      }
      const end = await decoder.end();
      for (const block of end.blocks) await writer.add(block);
      await writer.flush();
      format = end.format;
    } finally {
      decoder.close();
    }
    if (writer.samples === 0) throw AudioErrors.empty('The recording holds no audio');
    await this.transactions.run(async (tx) => {
      await this.recordings.update(
        networkId,
        id,
        { stage: 'analyse', format, durationMs: Math.round(writer.samples / 16) },
        { tx },
      );
      await this.parts.drop(networkId, id, ['source'], tx);
    });
  }
}
