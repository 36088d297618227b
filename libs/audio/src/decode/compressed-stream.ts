import { AppError } from '@mira/core';
import { AudioErrors } from '../audio.errors.js';
import { refusalError } from './audio-decoder.js';
import type { CodecStream, PcmSink, UnitBounds } from './codecs/codec-stream.js';
import { flacStream } from './codecs/flac.js';
import { mpegStream } from './codecs/mpeg.js';
import { oggStream } from './codecs/ogg.js';
import { webmStream } from './codecs/webm.js';
import {
  checkChannels,
  checkRate,
  feedInCalls,
  MAX_FLOATS_PER_CALL,
  type DecodedCall,
} from './mono-collector.js';
import type { PcmFrames } from './pcm-stream.js';
import type { FrameSink, FrameSource } from './recording-decoder.js';
import { DecodeRefusal } from './refusal.js';

/** Bytes handed to the codec per call: small pieces keep each blocking stretch of the event loop short. */
const SLICE_BYTES = 64 * 1024;

const STREAMS = { flac: flacStream, mp3: mpegStream, ogg: oggStream, webm: webmStream } as const;

/**
 * Sizes decoder calls by memory alone (a recording's length is checked downstream, on every call's output) and hands
 * each call's PCM on at once, so no more than one call's output is held here, then yields the event loop. The
 * latest call's output is held back until the next (or the end), so the container's stated end can still trim it.
 */
class StreamingSink implements PcmSink {
  private held: PcmFrames | null = null;
  private frames = 0;
  private rate = 0;

  constructor(private readonly emit: FrameSink) {}

  get seconds(): number {
    return this.rate > 0 ? this.frames / this.rate : 0;
  }

  feed<T>(
    units: Iterable<T>,
    bounds: UnitBounds,
    decode: (batch: T[]) => DecodedCall | Promise<DecodedCall>,
  ): Promise<number> {
    const perCall = Math.max(
      1,
      Math.floor(MAX_FLOATS_PER_CALL / (bounds.maxFramesPerUnit * bounds.channels)),
    );
    return feedInCalls(
      units,
      () => perCall,
      decode,
      async (out) => {
        await this.add(out);
        await new Promise((resolve) => setImmediate(resolve));
      },
    );
  }

  trimEnd(frames: number): void {
    if (!this.held) return;
    const keep = Math.max(0, this.held.channels[0]!.length - frames);
    this.frames -= this.held.channels[0]!.length - keep;
    this.held = { ...this.held, channels: this.held.channels.map((c) => c.subarray(0, keep)) };
  }

  /** The output still held back. */
  async flush(): Promise<void> {
    const held = this.held;
    this.held = null;
    if (held) await this.emit(held);
  }

  private async add(out: DecodedCall): Promise<void> {
    const channels = out.channelData.filter((c) => c.length > 0);
    if (channels.length === 0) return;
    checkChannels(channels.length);
    checkRate(out.sampleRate);
    const length = Math.min(...channels.map((c) => c.length));
    const previous = this.held;
    this.held = { channels, rate: out.sampleRate };
    this.rate = out.sampleRate;
    this.frames += length;
    if (previous) await this.emit(previous);
  }
}

/**
 * FLAC, MP3, Ogg (Opus, Vorbis) and WebM/Opus as the bytes arrive, through the same codec modules as whole uploads
 * (codecs/*): the parser keeps what a piece ends with, the decoder its state. Failures become AppErrors.
 */
export function compressedFrameSource(container: keyof typeof STREAMS, emit: FrameSink): FrameSource {
  const sink = new StreamingSink(emit);
  const stream: CodecStream = STREAMS[container](sink);
  const guarded = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof DecodeRefusal) throw refusalError(err.refusal, Infinity);
      const reason = err instanceof Error ? err.message.slice(0, 120) : 'unknown error';
      throw AudioErrors.undecodable(`The ${container.toUpperCase()} data could not be decoded (${reason})`);
    }
  };
  return {
    async push(bytes) {
      for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
        await guarded(() => stream.push(bytes.subarray(at, at + SLICE_BYTES)));
      }
    },
    end: () =>
      guarded(async () => {
        await stream.end();
        await sink.flush();
      }),
    close: () => stream.free(),
  };
}
