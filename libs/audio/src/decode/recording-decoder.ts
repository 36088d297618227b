import { SAMPLE_RATE } from '../audio.types.js';
import { AudioErrors } from '../audio.errors.js';
import { compressedFrameSource } from './compressed-stream.js';
import { downmix } from './mono-collector.js';
import { PcmStreamReader, type PcmFrames } from './pcm-stream.js';
import { inspectUploadHead, UPLOAD_HEAD_BYTES, type UploadHead } from './upload-head.js';
import { createSincFastestConverter, type SampleRateConverter } from './libsamplerate.js';

/** What a long recording turned out to be, once decoded. */
export interface RecordingDecodeResult {
  blocks: Float32Array[];
  format: UploadHead['container'];
  originalSampleRate: number;
  channels: number;
}

/**
 * A long recording decoded as its bytes are read, never held whole: bytes in (in file order), 16 kHz mono out in
 * blocks. Refuses with AUDIO_TOO_LONG as soon as more than `maxSeconds` has been decoded.
 */
export interface RecordingDecoder {
  /** The next bytes of the file; answers the 16 kHz mono decoded from them (possibly nothing yet). */
  push(bytes: Uint8Array): Promise<Float32Array[]>;
  /** No more bytes: the rest of the audio, and what the file was. */
  end(): Promise<RecordingDecodeResult>;
  /** Frees the decoder (also after a failure). */
  close(): void;
}

/** Takes each piece of PCM a source decodes, as soon as it is decoded. */
export type FrameSink = (frames: PcmFrames) => Promise<void>;

/** A source of PCM frames at the file's own rate, fed bytes in order, handing what it decodes to its FrameSink. */
export interface FrameSource {
  push(bytes: Uint8Array): Promise<void>;
  end(): Promise<void>;
  close?(): void;
}

/** WAV or headerless PCM16 as a FrameSource (each piece's whole frames at once: no more PCM than bytes). */
function pcmFrameSource(headerless: boolean, emit: FrameSink): FrameSource {
  const reader = new PcmStreamReader(headerless);
  return {
    async push(bytes) {
      const frames = reader.push(bytes);
      if (frames) await emit(frames);
    },
    async end() {
      reader.end();
    },
  };
}

/** Averages channels to mono (NaN/Inf to 0, clamped to [-1, 1]), resamples to 16 kHz keeping state across blocks. */
class MonoResampler {
  private src: Promise<SampleRateConverter> | null = null;
  private rate = 0;
  seconds = 0;
  channels = 0;

  constructor(private readonly maxSeconds: number) {}

  get originalRate(): number {
    return this.rate;
  }

  async add(frames: PcmFrames): Promise<Float32Array[]> {
    if (frames.channels.length === 0 || frames.channels[0]!.length === 0) return [];
    if (this.rate === 0) this.rate = frames.rate;
    else if (frames.rate !== this.rate) {
      throw AudioErrors.undecodable(
        `The sample rate changes within the file (${this.rate} → ${frames.rate} Hz)`,
      );
    }
    this.channels = Math.max(this.channels, frames.channels.length);
    const mono = downmix(frames.channels);
    this.seconds += mono.length / this.rate;
    if (this.seconds > this.maxSeconds) {
      throw AudioErrors.tooLong(this.seconds, this.maxSeconds, true);
    }
    if (this.rate === SAMPLE_RATE) return [mono];
    this.src ??= createSincFastestConverter(this.rate, SAMPLE_RATE);
    // full() keeps the converter's state between blocks (simple() would restart it at every block)
    return [Float32Array.from((await this.src).full(mono))];
  }

  close(): void {
    void this.src?.then((src) => src.destroy()).catch(() => undefined);
    this.src = null;
  }
}

/**
 * Opens a decoder for one long recording. WAV and raw PCM16 are read as they arrive (PcmStreamReader); compressed
 * containers go to `compressed` (frame by frame, bounded per call: compressed-stream.ts). Every piece of PCM is downmixed, resampled and counted against `maxSeconds` as soon as it is decoded.
 */
export function openRecordingDecoder(
  options: { maxSeconds: number; mimetype?: string },
  compressed: (
    container: Exclude<UploadHead['container'], 'wav' | 'pcm16'>,
    emit: FrameSink,
  ) => FrameSource = compressedFrameSource,
): RecordingDecoder {
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let container: UploadHead['container'] | null = null;
  let source: FrameSource | null = null;
  const mono = new MonoResampler(options.maxSeconds);
  let decoded: Float32Array[] = [];
  const emit: FrameSink = async (frames) => {
    decoded.push(...(await mono.add(frames)));
  };
  const taken = (): Float32Array[] => {
    const blocks = decoded;
    decoded = [];
    return blocks;
  };

  const start = (bytes: Uint8Array): void => {
    const inspected = inspectUploadHead(bytes.subarray(0, UPLOAD_HEAD_BYTES), options.mimetype);
    container = inspected.container;
    source =
      container === 'wav' || container === 'pcm16'
        ? pcmFrameSource(container === 'pcm16', emit)
        : compressed(container, emit);
  };

  const feed = async (bytes: Uint8Array): Promise<Float32Array[]> => {
    if (!source) {
      head.push(bytes);
      headBytes += bytes.length;
      if (headBytes < UPLOAD_HEAD_BYTES) return [];
      bytes = Buffer.concat(head);
      head = [];
      start(bytes);
    }
    await source!.push(bytes);
    return taken();
  };

  return {
    push: feed,
    async end() {
      if (!source) {
        if (headBytes === 0) throw AudioErrors.empty('The recording has no bytes');
        const bytes = Buffer.concat(head);
        head = [];
        start(bytes);
        await source!.push(bytes);
      }
      await source!.end();
      const blocks = taken();
      if (mono.seconds === 0) {
        if (container === 'wav' || container === 'pcm16')
          throw AudioErrors.empty('The recording contains no samples');
        // a corrupt stream decodes to nothing as well; we cannot tell it from an empty one, so say both
        throw AudioErrors.undecodable(
          `The ${String(container).toUpperCase()} data holds no decodable audio (corrupt or empty)`,
        );
      }
      return { blocks, format: container!, originalSampleRate: mono.originalRate, channels: mono.channels };
    },
    close() {
      (source as FrameSource | null)?.close?.();
      mono.close();
    },
  };
}
