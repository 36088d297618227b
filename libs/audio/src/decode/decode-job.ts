import { SAMPLE_RATE } from '../audio.types.js';
import { decodeFlac } from './codecs/flac.js';
import { decodeMpeg } from './codecs/mpeg.js';
import { decodeOgg } from './codecs/ogg.js';
import { decodeWebm } from './codecs/webm.js';
import { downmix, MonoCollector } from './mono-collector.js';
import { DecodeRefusal, refuse } from './refusal.js';
import type { Resampler } from './resampler.js';
import { COUNTED_SLACK_SECONDS, declaredSeconds } from './sniff.js';
import { parsePcm16, parseWav, readWavLayout, WavParseError } from './wav.js';

/** Containers the decoder reads (what sniffing found, unsupported ones already refused). */
export type DecodableContainer = 'wav' | 'pcm16' | 'flac' | 'mp3' | 'ogg' | 'webm';

export interface DecodeJob {
  bytes: Uint8Array;
  container: DecodableContainer;
  maxSeconds: number;
}

export interface DecodeJobResult {
  /** 16 kHz mono. */
  samples: Float32Array;
  originalSampleRate: number;
  channels: number;
}

const DECODERS = { flac: decodeFlac, mp3: decodeMpeg, ogg: decodeOgg, webm: decodeWebm } as const;

/**
 * One upload to 16 kHz mono, never holding more than `maxSeconds` of PCM (plus one decoder call's output): WAV and
 * raw PCM are measured before their samples are converted, compressed formats are refused early when their headers
 * or counted frames already say too long and are otherwise decoded incrementally until the limit. Refusals are
 * DecodeRefusal; the codecs' own failures become `undecodable`.
 */
export async function runDecodeJob(job: DecodeJob, resampler: Resampler): Promise<DecodeJobResult> {
  const { bytes, container, maxSeconds } = job;
  let mono: Float32Array;
  let rate: number;
  let channels: number;
  if (container === 'pcm16') {
    if (bytes.length % 2 !== 0) throw refuse.oddLength(bytes.length);
    const seconds = bytes.length / 2 / SAMPLE_RATE;
    if (seconds > maxSeconds) throw refuse.tooLong(seconds, false);
    mono = parsePcm16(bytes);
    rate = SAMPLE_RATE;
    channels = 1;
  } else if (container === 'wav') {
    try {
      const layout = readWavLayout(bytes);
      if (layout.frames / layout.rate > maxSeconds) throw refuse.tooLong(layout.frames / layout.rate, false);
      const pcm = parseWav(bytes, layout);
      mono = pcm.channelData.length > 0 && layout.frames > 0 ? downmix(pcm.channelData) : new Float32Array(0);
      rate = pcm.sampleRate;
      channels = pcm.channelData.length;
    } catch (err) {
      if (err instanceof WavParseError) throw refuse.undecodable(err.message);
      throw err;
    }
  } else {
    const declared = declaredSeconds(bytes, container);
    // counted MP3 frames and Opus packets include what the decoder drops: refuse early only beyond that slack
    const slack = COUNTED_SLACK_SECONDS[container] ?? 0;
    if (declared !== null && declared - slack > maxSeconds) throw refuse.tooLong(declared, false);
    const sink = new MonoCollector(maxSeconds);
    try {
      await DECODERS[container](bytes, sink);
    } catch (err) {
      if (err instanceof DecodeRefusal) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw refuse.undecodable(
        `The ${container.toUpperCase()} data could not be decoded (${reason.slice(0, 120)})`,
      );
    }
    if (sink.seconds === 0) {
      // A corrupt stream decodes to nothing as well; we cannot tell it from an empty one, so say both.
      throw refuse.undecodable(
        `The ${container.toUpperCase()} data holds no decodable audio (corrupt or empty)`,
      );
    }
    const decoded = sink.finish();
    mono = decoded.samples;
    rate = decoded.rate;
    channels = decoded.channels;
  }
  if (mono.length === 0) throw refuse.empty('The audio contains no samples');
  return {
    samples: await resampler.resample(mono, rate, SAMPLE_RATE),
    originalSampleRate: rate,
    channels,
  };
}
