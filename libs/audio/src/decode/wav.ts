/** A parsed RIFF/WAVE file: one Float32Array per channel in [-1, 1]. */
export interface PcmData {
  channelData: Float32Array[];
  sampleRate: number;
}

export class WavParseError extends Error {}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Where a WAV's samples are and how they are encoded, read from its chunks without touching the samples. */
export interface WavLayout {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  dataStart: number;
  /** Whole frames present (a streaming writer's size 0 or 0xFFFFFFFF, or a cut-off file: what is there). */
  frames: number;
}

/** Highest WAV sample rate read (libsamplerate's limit; 384 kHz studio files must be converted first). */
export const MAX_WAV_RATE = 192_000;

/**
 * RIFF WAVE layout: integer PCM 8/16/24/32-bit, IEEE float 32/64-bit, WAVE_FORMAT_EXTENSIBLE, 1 kHz to 192 kHz,
 * 1 to 32 channels. Tolerates streaming writers (data size 0 or 0xFFFFFFFF) and truncated data.
 */
export function readWavLayout(bytes: Uint8Array): WavLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let data: { start: number; length: number } | undefined;
  while (offset + 8 <= bytes.length && data === undefined) {
    const id = String.fromCharCode(
      bytes[offset]!,
      bytes[offset + 1]!,
      bytes[offset + 2]!,
      bytes[offset + 3]!,
    );
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavParseError('WAV fmt chunk is truncated');
      let tag = view.getUint16(body, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.length) {
        tag = view.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      const available = bytes.length - body;
      const length = size === 0 || size === 0xffffffff || size > available ? available : size;
      data = { start: body, length };
    }
    offset = body + size + (size % 2);
  }
  if (format === undefined) throw new WavParseError('WAV has no fmt chunk');
  if (data === undefined) throw new WavParseError('WAV has no data chunk');
  const { tag, channels, rate, bits } = format;
  if (channels < 1 || channels > 32)
    throw new WavParseError(`WAV has an invalid channel count (${channels})`);
  if (rate < 1000 || rate > MAX_WAV_RATE)
    throw new WavParseError(`WAV sample rate ${rate} Hz is not supported (1,000–192,000 Hz)`);
  const supported =
    (tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bits)) ||
    (tag === WAVE_FORMAT_IEEE_FLOAT && [32, 64].includes(bits));
  if (!supported) throw new WavParseError(`WAV encoding ${tag} with ${bits} bits is not supported`);
  const frames = Math.floor(data.length / ((bits / 8) * channels));
  return { tag, channels, rate, bits, dataStart: data.start, frames };
}

/** The samples of a WAV, one Float32Array per channel in [-1, 1] (check `layout.frames` against limits first). */
export function parseWav(bytes: Uint8Array, layout: WavLayout = readWavLayout(bytes)): PcmData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { tag, channels, rate, bits, frames } = layout;
  const bytesPerSample = bits / 8;
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  let p = layout.dataStart;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      channelData[c]![i] = wavSample(view, bytes, p, tag, bits);
      p += bytesPerSample;
    }
  }
  return { channelData, sampleRate: rate };
}

/** One sample at byte `p` of WAV data (integer PCM 8/16/24/32-bit or IEEE float 32/64-bit) as a float in [-1, 1]. */
export function wavSample(view: DataView, bytes: Uint8Array, p: number, tag: number, bits: number): number {
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    const v = bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
    return Number.isFinite(v) ? v : 0;
  }
  if (bits === 16) return view.getInt16(p, true) / 32768;
  if (bits === 8) return (bytes[p]! - 128) / 128;
  if (bits === 24) {
    const x = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16);
    return ((x << 8) >> 8) / 8388608;
  }
  return view.getInt32(p, true) / 2147483648;
}

/** Raw PCM16LE mono (the legacy desktop client). The caller has checked the byte count is even. */
export function parsePcm16(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}
