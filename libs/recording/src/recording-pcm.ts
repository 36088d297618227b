import { blindSnrDb, SAMPLE_RATE } from '@mira/audio';
import { floatToPcm16, pcm16ToFloat } from '@mira/core';
import type { RecordingAudioRepository } from './recording-audio.repository.js';

/** A recording's decoded audio is stored as 16 kHz PCM16 parts of this length (the unit of analysis and resume). */
export const PCM_PART_SECONDS = 30;
export const PCM_PART_SAMPLES = PCM_PART_SECONDS * SAMPLE_RATE;

/** What a stored PCM part notes about itself. */
export interface PcmPartMeta {
  seconds: number;
  /** Blind SNR of the part (how noisy it sounds), for the recording's choice of diarization branch. */
  snr_db: number | null;
}

/**
 * Collects decoded 16 kHz blocks into fixed-length parts and writes each as soon as it is full, so at most one part
 * is held at a time.
 */
export class PcmPartWriter {
  private buffer = new Float32Array(PCM_PART_SAMPLES);
  private filled = 0;
  private index = 0;
  samples = 0;

  constructor(private readonly write: (index: number, pcm: Buffer, meta: PcmPartMeta) => Promise<void>) {}

  async add(block: Float32Array): Promise<void> {
    let at = 0;
    while (at < block.length) {
      const take = Math.min(block.length - at, PCM_PART_SAMPLES - this.filled);
      this.buffer.set(block.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      this.samples += take;
      if (this.filled === PCM_PART_SAMPLES) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.filled === 0) return;
    const part = this.buffer.subarray(0, this.filled);
    const snr = blindSnrDb(part);
    await this.write(this.index++, floatToPcm16(part), {
      seconds: this.filled / SAMPLE_RATE,
      snr_db: snr !== null && Number.isFinite(snr) ? Math.round(snr * 10) / 10 : null,
    });
    this.buffer = new Float32Array(PCM_PART_SAMPLES);
    this.filled = 0;
  }
}

/** 16 kHz mono samples [start, end) seconds of a recording, read from the parts that hold them. */
export async function readPcmRange(
  audio: RecordingAudioRepository,
  networkId: string,
  recordingId: string,
  start: number,
  end: number,
): Promise<Float32Array> {
  const first = Math.max(0, Math.floor(start * SAMPLE_RATE));
  const last = Math.max(first, Math.ceil(end * SAMPLE_RATE));
  const out = new Float32Array(last - first);
  for (let part = Math.floor(first / PCM_PART_SAMPLES); part * PCM_PART_SAMPLES < last; part++) {
    const stored = await audio.get(networkId, recordingId, 'pcm', part);
    if (!stored) break;
    const samples = pcm16ToFloat(stored.data);
    const offset = part * PCM_PART_SAMPLES;
    const from = Math.max(first, offset);
    const to = Math.min(last, offset + samples.length);
    if (to > from) out.set(samples.subarray(from - offset, to - offset), from - first);
  }
  return out;
}
