import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { SAMPLE_RATE } from '../audio.types.js';
import { AudioErrors } from '../audio.errors.js';
import { downmix } from './mono-collector.js';
import { PcmStreamReader, type PcmFrames } from './pcm-stream.js';
import { inspectUploadHead, UPLOAD_HEAD_BYTES, type UploadHead } from './upload-head.js';

type Src = Awaited<ReturnType<typeof libsamplerate.create>>;

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

/** A source of PCM frames at the file's own rate, fed bytes in order. */
export interface FrameSource {
  push(bytes: Uint8Array): PcmFrames | null | Promise<PcmFrames | null>;
  end(): PcmFrames | null | void | Promise<PcmFrames | null | void>;
  close?(): void;
}

/** Averages channels to mono (NaN/Inf to 0, clamped to [-1, 1]), resamples to 16 kHz keeping state across blocks. */
class MonoResampler {
  private src: Promise<Src> | null = null;
  private rate = 0;
  seconds = 0;
  channels = 0;

  constructor(private readonly maxSeconds: number) {}

  get originalRate(): number {
    return this.rate;
  }

  async add(frames: PcmFrames | null | void): Promise<Float32Array[]> {
    if (!frames || frames.channels.length === 0 || frames.channels[0]!.length === 0) return [];
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
      throw AudioErrors.tooLong(this.seconds, this.maxSeconds);
    }
    if (this.rate === SAMPLE_RATE) return [mono];
    this.src ??= libsamplerate.create(1, this.rate, SAMPLE_RATE, {
      converterType: libsamplerate.ConverterType.SRC_SINC_FASTEST,
    });
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
 * containers go to `compressed` (frame by frame, bounded per call), which the caller provides.
 */
export function openRecordingDecoder(
  options: { maxSeconds: number; mimetype?: string },
  compressed: (container: Exclude<UploadHead['container'], 'wav' | 'pcm16'>) => FrameSource,
): RecordingDecoder {
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let container: UploadHead['container'] | null = null;
  let source: FrameSource | null = null;
  const mono = new MonoResampler(options.maxSeconds);

  const start = (bytes: Uint8Array): void => {
    const inspected = inspectUploadHead(bytes.subarray(0, UPLOAD_HEAD_BYTES), options.mimetype);
    container = inspected.container;
    source =
      container === 'wav' || container === 'pcm16'
        ? new PcmStreamReader(container === 'pcm16')
        : compressed(container);
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
    return mono.add(await source!.push(bytes));
  };

  return {
    push: feed,
    async end() {
      const blocks: Float32Array[] = [];
      if (!source) {
        if (headBytes === 0) throw AudioErrors.empty('The recording has no bytes');
        const bytes = Buffer.concat(head);
        head = [];
        start(bytes);
        blocks.push(...(await mono.add(await source!.push(bytes))));
      }
      blocks.push(...(await mono.add(await source!.end())));
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
