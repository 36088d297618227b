import { SAMPLE_RATE } from '../audio.types.js';
import { AudioErrors } from '../audio.errors.js';
import { wavSample } from './wav.js';

/** Channels of PCM at the stream's own rate, as one push produced them. */
export interface PcmFrames {
  channels: Float32Array[];
  rate: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** The largest header chunk (fmt, or anything before data that is read rather than skipped) we keep in memory. */
const MAX_HEADER_CHUNK = 1 << 16;

interface WavFormat {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
}

/**
 * RIFF WAVE (integer PCM 8/16/24/32-bit, float 32/64-bit, WAVE_FORMAT_EXTENSIBLE) or headerless PCM16LE mono 16 kHz,
 * read as it arrives: header chunks are parsed (others skipped without being kept), then every whole frame of
 * samples is converted and handed back; a partial frame waits for the next bytes. The same conversions as the
 * whole-file reader (wav.ts).
 */
export class PcmStreamReader {
  private pending: Uint8Array = new Uint8Array(0);
  private format: WavFormat | null;
  /** Bytes of the data chunk still to come (Infinity: to the end of the file, as streaming writers leave it). */
  private dataLeft = 0;
  private inData: boolean;
  private skip = 0;
  private riffRead: boolean;
  private received = 0;

  constructor(private readonly headerless: boolean) {
    this.format = headerless ? { tag: WAVE_FORMAT_PCM, channels: 1, rate: SAMPLE_RATE, bits: 16 } : null;
    this.inData = headerless;
    this.riffRead = headerless;
    if (headerless) this.dataLeft = Infinity;
  }

  get rate(): number {
    return this.format?.rate ?? 0;
  }

  get channelCount(): number {
    return this.format?.channels ?? 0;
  }

  push(bytes: Uint8Array): PcmFrames | null {
    this.received += bytes.length;
    this.pending = this.pending.length ? concat(this.pending, bytes) : bytes;
    if (!this.inData) this.readHeader();
    if (!this.inData || !this.format) return null;
    return this.samples();
  }

  /** No more bytes: refuses a WAV that never reached its samples, and headerless PCM of odd length. */
  end(): void {
    if (!this.inData) throw AudioErrors.undecodable('The WAV data ends before its samples (no data chunk)');
    if (this.headerless && this.received % 2 !== 0) throw AudioErrors.oddLengthPcm(this.received);
  }

  private readHeader(): void {
    for (;;) {
      if (!this.riffRead) {
        if (this.pending.length < 12) return;
        this.pending = this.pending.subarray(12);
        this.riffRead = true;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.pending.length);
        this.pending = this.pending.subarray(n);
        this.skip -= n;
        if (this.skip > 0) return;
      }
      if (this.pending.length < 8) return;
      const view = new DataView(this.pending.buffer, this.pending.byteOffset, this.pending.byteLength);
      const id = String.fromCharCode(...this.pending.subarray(0, 4));
      const size = view.getUint32(4, true);
      if (id === 'data') {
        if (!this.format) throw AudioErrors.undecodable('WAV has no fmt chunk before its data');
        this.pending = this.pending.subarray(8);
        this.dataLeft = size === 0 || size === 0xffffffff ? Infinity : size;
        this.inData = true;
        return;
      }
      if (id === 'fmt ') {
        if (size < 16 || size > MAX_HEADER_CHUNK) throw AudioErrors.undecodable('WAV fmt chunk is malformed');
        if (this.pending.length < 8 + size) return;
        this.format = readFormat(new DataView(this.pending.buffer, this.pending.byteOffset + 8, size), size);
        this.pending = this.pending.subarray(8 + size + (size % 2));
        continue;
      }
      this.pending = this.pending.subarray(8);
      this.skip = size + (size % 2);
    }
  }

  private samples(): PcmFrames {
    const { tag, channels, bits, rate } = this.format!;
    const bytesPerSample = bits / 8;
    const frameBytes = bytesPerSample * channels;
    const usable = Math.min(this.pending.length, this.dataLeft);
    const frames = Math.floor(usable / frameBytes);
    const out = Array.from({ length: channels }, () => new Float32Array(frames));
    const bytes = this.pending;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let p = 0;
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < channels; c++) {
        out[c]![i] = wavSample(view, bytes, p, tag, bits);
        p += bytesPerSample;
      }
    }
    const consumed = frames * frameBytes;
    this.dataLeft -= consumed;
    // bytes after the data chunk (trailing LIST chunks) are not samples
    this.pending = this.dataLeft <= 0 ? new Uint8Array(0) : this.pending.subarray(consumed);
    return { channels: out, rate };
  }
}

function readFormat(view: DataView, size: number): WavFormat {
  let tag = view.getUint16(0, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 26) tag = view.getUint16(24, true);
  const format = {
    tag,
    channels: view.getUint16(2, true),
    rate: view.getUint32(4, true),
    bits: view.getUint16(14, true),
  };
  if (format.channels < 1 || format.channels > 32) {
    throw AudioErrors.undecodable(`WAV has an invalid channel count (${format.channels})`);
  }
  if (format.rate < 1000 || format.rate > 192_000) {
    throw AudioErrors.undecodable(`WAV has an unsupported sample rate (${format.rate} Hz)`);
  }
  const supported =
    (tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(format.bits)) ||
    (tag === WAVE_FORMAT_IEEE_FLOAT && [32, 64].includes(format.bits));
  if (!supported)
    throw AudioErrors.undecodable(`WAV encoding ${tag} with ${format.bits} bits is not supported`);
  return format;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
