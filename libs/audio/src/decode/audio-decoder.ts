import decodeAudio from 'audio-decode';
import type { AudioFormat, DecodedAudio } from '../audio.types.js';
import { SAMPLE_RATE } from '../audio.types.js';
import { AudioErrors } from '../audio.errors.js';
import type { Resampler } from './resampler.js';
import { COUNTED_SLACK_SECONDS, declaredSeconds, sniffContainer } from './sniff.js';
import { parsePcm16, parseWav, WavParseError } from './wav.js';

export interface DecodeLimits {
  maxBytes: number;
  maxSeconds: number;
}

export interface DecodeHint {
  filename?: string;
  mimetype?: string;
}

/** Port: bytes of any accepted format in, 16 kHz mono float32 out, or an AppError 4xx. */
export interface AudioDecoder {
  readonly name: string;
  decode(bytes: Uint8Array, hint?: DecodeHint): Promise<DecodedAudio>;
}

/** MIME types that can never be audio: refuse them rather than read text as PCM. */
const NON_AUDIO_MIME =
  /^(text\/|application\/(json|xml|pdf|zip|x-www-form-urlencoded))|^image\/|^video\/(?!webm)/i;

/**
 * Own RIFF/WAVE reader and headerless PCM16 path (fast and exact), `audio-decode` (pure JS/WASM) for FLAC, MP3,
 * Ogg (Opus/Vorbis) and WebM (Opus); then average the channels and resample to 16 kHz.
 */
export class DefaultAudioDecoder implements AudioDecoder {
  readonly name = 'riff-wav+audio-decode';

  constructor(
    private readonly resampler: Resampler,
    private readonly limits: DecodeLimits,
  ) {}

  async decode(bytes: Uint8Array, hint: DecodeHint = {}): Promise<DecodedAudio> {
    if (bytes.length === 0) throw AudioErrors.empty('The audio file has no bytes');
    if (bytes.length > this.limits.maxBytes) throw AudioErrors.tooLarge(bytes.length, this.limits.maxBytes);
    const container = sniffContainer(bytes);
    if (typeof container === 'object') {
      throw AudioErrors.undecodable(
        `${container.unsupported} audio is not supported; send WAV, FLAC, MP3, Ogg/Opus, WebM/Opus or raw PCM16LE 16 kHz`,
      );
    }

    let channels: Float32Array[];
    let rate: number;
    if (container === 'pcm16') {
      if (hint.mimetype !== undefined && NON_AUDIO_MIME.test(hint.mimetype)) {
        throw AudioErrors.undecodable(`Content of type ${hint.mimetype} is not audio`);
      }
      if (bytes.length % 2 !== 0) throw AudioErrors.oddLengthPcm(bytes.length);
      channels = [parsePcm16(bytes)];
      rate = SAMPLE_RATE;
    } else if (container === 'wav') {
      try {
        ({ channelData: channels, sampleRate: rate } = parseWav(bytes));
      } catch (err) {
        if (err instanceof WavParseError) throw AudioErrors.undecodable(err.message);
        throw err;
      }
    } else {
      const declared = declaredSeconds(bytes, container);
      // counted MP3 frames and Opus packets include what the decoder drops: refuse early only beyond that slack
      const slack = COUNTED_SLACK_SECONDS[container] ?? 0;
      if (declared !== null && declared - slack > this.limits.maxSeconds) {
        throw AudioErrors.tooLong(declared, this.limits.maxSeconds);
      }
      ({ channels, rate } = await this.decodeCompressed(bytes, container));
    }

    const frames = channels[0]?.length ?? 0;
    if (frames === 0) throw AudioErrors.empty('The audio contains no samples');
    const originalSeconds = frames / rate;
    if (originalSeconds > this.limits.maxSeconds) {
      throw AudioErrors.tooLong(originalSeconds, this.limits.maxSeconds);
    }
    const mono = downmix(channels);
    const samples = await this.resampler.resample(mono, rate, SAMPLE_RATE);
    return {
      samples,
      sampleRate: SAMPLE_RATE,
      durationSeconds: samples.length / SAMPLE_RATE,
      format: container,
      originalSampleRate: rate,
      channels: channels.length,
    };
  }

  private async decodeCompressed(
    bytes: Uint8Array,
    format: Exclude<AudioFormat, 'wav' | 'pcm16'>,
  ): Promise<{ channels: Float32Array[]; rate: number }> {
    let decoded: { channelData: Float32Array[]; sampleRate: number };
    try {
      // audio-decode may keep a reference to the buffer; give it its own copy.
      decoded = await decodeAudio(new Uint8Array(bytes));
    } catch (err) {
      throw AudioErrors.undecodable(
        `The ${format.toUpperCase()} data could not be decoded (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'})`,
      );
    }
    const channels = (decoded?.channelData ?? []).filter((c) => c.length > 0);
    if (channels.length === 0 || !(decoded.sampleRate > 0)) {
      // A corrupt stream decodes to nothing as well; we cannot tell it from an empty one, so say both.
      throw AudioErrors.undecodable(
        `The ${format.toUpperCase()} data holds no decodable audio (corrupt or empty)`,
      );
    }
    return { channels, rate: decoded.sampleRate };
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
