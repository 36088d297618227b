import type { PcmSink, UnitBounds } from './codecs/codec-stream.js';
import { concatSamples } from '../dsp/signal.js';
import { refuse } from './refusal.js';

/** Rates the decoders accept (the WAV reader's floor, libsamplerate's ceiling). */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 192_000;
/** Channels a decoder may produce: FLAC's maximum; more (Opus and Vorbis allow 255) only multiplies memory. */
export const MAX_CHANNELS = 8;
/** Floats one decoder call may produce at most (16 MB), whatever the frames it is handed claim about themselves. */
export const MAX_FLOATS_PER_CALL = 1 << 22;

/** What a codec returns for one call. */
export interface DecodedCall {
  channelData: Float32Array[];
  sampleRate: number;
  errors: unknown[];
}

export function checkRate(rate: number): void {
  if (!(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE)) {
    throw refuse.undecodable(
      `Sample rate ${rate} Hz is not supported (${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz)`,
    );
  }
}

export function checkChannels(channels: number): void {
  if (!(channels >= 1 && channels <= MAX_CHANNELS)) {
    throw refuse.undecodable(`Audio with ${channels} channels is not supported (1–${MAX_CHANNELS})`);
  }
}

/**
 * Hands `units` to `decode` in calls of `callSize()` units (asked before each call), each call's output to `take`
 * before the next; answers the number of codec errors reported.
 */
export async function feedInCalls<T>(
  units: Iterable<T>,
  callSize: () => number,
  decode: (batch: T[]) => DecodedCall | Promise<DecodedCall>,
  take: (out: DecodedCall) => void | Promise<void>,
): Promise<number> {
  let errors = 0;
  let batch: T[] = [];
  const call = async () => {
    const out = await decode(batch);
    batch = [];
    errors += out.errors.length;
    await take(out);
  };
  for (const unit of units) {
    batch.push(unit);
    if (batch.length >= callSize()) await call();
  }
  if (batch.length) await call();
  return errors;
}

/**
 * Collects decoded PCM as mono (channels averaged, NaN/Inf to 0, clamped to [-1, 1]) and refuses as soon as more
 * than `maxSeconds` has arrived. Codecs are driven through feed(), so no more than the limit plus one frame or
 * packet of PCM is ever held.
 */
export class MonoCollector implements PcmSink {
  private readonly chunks: Float32Array[] = [];
  private frames = 0;
  private sampleRate = 0;
  private widest = 0;

  constructor(private readonly maxSeconds: number) {}

  get rate(): number {
    return this.sampleRate;
  }

  get channels(): number {
    return this.widest;
  }

  get seconds(): number {
    return this.sampleRate > 0 ? this.frames / this.sampleRate : 0;
  }

  /**
   * Hands `units` (frames, packets) to `decode` in calls sized so that no call can take the clip past the limit by
   * more than one unit nor produce more than MAX_FLOATS_PER_CALL: a unit decodes to at most `maxFramesPerUnit`
   * frames of `channels` channels (the format's bound, not what the unit declares). The first call takes one unit,
   * which gives the rate. Answers the number of codec errors reported.
   */
  feed<T>(
    units: Iterable<T>,
    bounds: UnitBounds,
    decode: (batch: T[]) => DecodedCall | Promise<DecodedCall>,
  ): Promise<number> {
    return feedInCalls(
      units,
      () => this.unitsForNextCall(bounds),
      decode,
      (out) => this.add(out.channelData, out.sampleRate),
    );
  }

  private unitsForNextCall({ maxFramesPerUnit, channels }: UnitBounds) {
    if (this.sampleRate === 0) return 1;
    const room = this.maxSeconds * this.sampleRate - this.frames;
    const byMemory = Math.floor(MAX_FLOATS_PER_CALL / (maxFramesPerUnit * channels));
    return Math.max(1, Math.min(byMemory, Math.floor(room / maxFramesPerUnit)));
  }

  add(channelData: Float32Array[], rate: number): void {
    const channels = channelData.filter((c) => c.length > 0);
    if (channels.length === 0) return;
    checkChannels(channels.length);
    checkRate(rate);
    if (this.sampleRate === 0) this.sampleRate = rate;
    else if (rate !== this.sampleRate) {
      throw refuse.undecodable(`The sample rate changes within the file (${this.sampleRate} → ${rate} Hz)`);
    }
    this.widest = Math.max(this.widest, channels.length);
    const mono = downmix(channels);
    this.chunks.push(mono);
    this.frames += mono.length;
    if (this.frames > this.maxSeconds * this.sampleRate) throw refuse.tooLong(this.seconds, true);
  }

  /** The whole clip (empty when nothing was decoded). */
  finish(): { samples: Float32Array; rate: number; channels: number } {
    const samples = this.chunks.length === 1 ? this.chunks[0]! : concatSamples(this.chunks, this.frames);
    this.chunks.length = 0;
    return { samples, rate: this.sampleRate, channels: this.widest };
  }

  /** Drops the last `frames` collected (end trimming that a container's final timestamp asks for). */
  trimEnd(frames: number): void {
    let left = Math.min(frames, this.frames);
    this.frames -= left;
    while (left > 0 && this.chunks.length > 0) {
      const last = this.chunks[this.chunks.length - 1]!;
      if (last.length <= left) {
        left -= last.length;
        this.chunks.pop();
      } else {
        this.chunks[this.chunks.length - 1] = last.subarray(0, last.length - left);
        left = 0;
      }
    }
  }
}

/** Average of the channels (equal weights), sanitising NaN/Inf to 0 and clamping to [-1, 1]. */
export function downmix(channels: Float32Array[]): Float32Array {
  const n = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(n);
  const k = channels.length;
  for (const channel of channels) {
    for (let i = 0; i < n; i++) out[i] += channel[i]! / k;
  }
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    out[i] = Number.isFinite(v) ? (v > 1 ? 1 : v < -1 ? -1 : v) : 0;
  }
  return out;
}
