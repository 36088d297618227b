import { readFileSync } from 'node:fs';
import { AudioService } from '@mira/audio';
import { encodeWav16, gaussian, seededRandom } from '@mira/core';

/** Decodes a LibriSpeech file with the app's own decoder and cuts [fromSeconds, fromSeconds + seconds). */
export async function loadSpeech(
  audio: AudioService,
  file: string,
  fromSeconds: number,
  seconds: number,
): Promise<Float32Array> {
  const decoded = await audio.decode(readFileSync(file), { filename: file });
  const from = Math.round(fromSeconds * 16000);
  return decoded.samples.slice(from, from + Math.round(seconds * 16000));
}

function power(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s / Math.max(1, x.length);
}

/**
 * One microphone's copy: speech × gain plus white noise at `snrDb` below the (scaled) speech power, with
 * `padSeconds` of noise-only lead-in and tail (what a device's VAD keeps around an utterance).
 */
export function micCopy(
  speech: Float32Array,
  opts: { gain: number; snrDb: number; seed: number; padSeconds?: number },
): Float32Array {
  const random = seededRandom(opts.seed);
  const pad = Math.round((opts.padSeconds ?? 0.3) * 16000);
  const out = new Float32Array(speech.length + 2 * pad);
  const speechPower = power(speech) * opts.gain * opts.gain;
  const noiseStd = Math.sqrt(speechPower / 10 ** (opts.snrDb / 10));
  for (let i = 0; i < out.length; i++) {
    const s = i >= pad && i < pad + speech.length ? speech[i - pad]! * opts.gain : 0;
    out[i] = Math.max(-1, Math.min(1, s + noiseStd * gaussian(random)));
  }
  return out;
}

export function wav(samples: Float32Array): Buffer {
  return encodeWav16(samples, 16000);
}
