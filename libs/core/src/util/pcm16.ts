/**
 * 16-bit PCM, the one sample encoding Mira writes: stored chunk audio (half the bytes of float32) and the WAV files
 * it hands to transcribers, tests and tools. Reading uploads (every WAV flavour) is the AudioModule's decoder.
 */
import { endianness } from 'node:os';

/**
 * Whether PCM16LE can be read and written through an Int16Array view (the platform's byte order). A view writes a
 * sample in one store, where Buffer's writeInt16LE/readInt16LE check and split each one and take ~4 × as long: every
 * stored chunk is converted on upload and again when the arbitration and the utterance pipeline read it, all on the
 * event loop.
 */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Float samples in [-1, 1] (clamped beyond) → PCM16LE bytes. */
export function floatToPcm16(samples: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(samples.length * 2); // its own buffer at offset 0: a 16-bit view fits
  if (LITTLE_ENDIAN) {
    const view = new Int16Array(out.buffer, out.byteOffset, samples.length);
    for (let i = 0; i < samples.length; i++) view[i] = pcm16Of(samples[i]);
  } else {
    for (let i = 0; i < samples.length; i++) out.writeInt16LE(pcm16Of(samples[i]), i * 2);
  }
  return out;
}

function pcm16Of(sample: number | undefined): number {
  const s = Math.max(-1, Math.min(1, sample ?? 0));
  return Math.round(s < 0 ? s * 0x8000 : s * 0x7fff);
}

/** PCM16LE bytes → float samples, the inverse of floatToPcm16 (an odd trailing byte is ignored). */
export function pcm16ToFloat(bytes: Buffer): Float32Array {
  const n = Math.floor(bytes.length / 2);
  const out = new Float32Array(n);
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    const view = new Int16Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = floatOf(view[i]!);
  } else {
    for (let i = 0; i < n; i++) out[i] = floatOf(bytes.readInt16LE(i * 2));
  }
  return out;
}

function floatOf(v: number): number {
  return v < 0 ? v / 0x8000 : v / 0x7fff;
}

export interface WavHeaderFields {
  /** 1 = integer PCM, 3 = IEEE float. */
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  /** Bytes of sample data that follow the header. */
  dataBytes: number;
  /** What the data chunk declares, when it should differ from dataBytes (tests of broken files). */
  declaredDataBytes?: number;
}

/** The canonical 44-byte RIFF/WAVE header (fmt chunk of 16 bytes, then the data chunk's header). */
export function wavHeader(f: WavHeaderFields): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + f.dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(f.tag, 20);
  h.writeUInt16LE(f.channels, 22);
  h.writeUInt32LE(f.rate, 24);
  h.writeUInt32LE((f.rate * f.channels * f.bits) / 8, 28);
  h.writeUInt16LE((f.channels * f.bits) / 8, 32);
  h.writeUInt16LE(f.bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(f.declaredDataBytes ?? f.dataBytes, 40);
  return h;
}

/** A 16-bit PCM WAV file of interleaved float samples (a trailing partial frame is dropped). */
export function encodeWav16(samples: Float32Array, sampleRate: number, channels = 1): Buffer {
  const frames = Math.floor(samples.length / channels);
  const data = floatToPcm16(samples.subarray(0, frames * channels));
  return Buffer.concat([
    wavHeader({ tag: 1, channels, rate: sampleRate, bits: 16, dataBytes: data.length }),
    data,
  ]);
}
