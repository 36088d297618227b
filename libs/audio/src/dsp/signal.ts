/** Small signal helpers shared by the stages, tests, benchmarks and evaluation. */

import { seededRandom } from '@mira/core/util';

export function rms(x: Float32Array): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / x.length);
}

/** Scale-invariant signal-to-distortion ratio in dB (Le Roux et al. 2019), over the common length. */
export function siSdr(estimate: Float32Array, reference: Float32Array): number {
  const n = Math.min(estimate.length, reference.length);
  let meanE = 0;
  let meanR = 0;
  for (let i = 0; i < n; i++) {
    meanE += estimate[i]!;
    meanR += reference[i]!;
  }
  meanE /= n;
  meanR /= n;
  let dot = 0;
  let refEnergy = 0;
  for (let i = 0; i < n; i++) {
    const r = reference[i]! - meanR;
    dot += (estimate[i]! - meanE) * r;
    refEnergy += r * r;
  }
  const alpha = dot / (refEnergy + 1e-12);
  let target = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const t = alpha * (reference[i]! - meanR);
    const e = estimate[i]! - meanE - t;
    target += t * t;
    noise += e * e;
  }
  return 10 * Math.log10((target + 1e-12) / (noise + 1e-12));
}

/** Mixes `noise` into `clean` at the given SNR (dB), looping the noise if it is shorter. */
export function mixAtSnr(clean: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  const cleanPower = rms(clean) ** 2;
  const looped = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) looped[i] = noise[i % noise.length]!;
  const noisePower = rms(looped) ** 2;
  const gain = Math.sqrt(cleanPower / (noisePower * 10 ** (snrDb / 10) + 1e-20));
  const out = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) out[i] = clean[i]! + gain * looped[i]!;
  return out;
}

export function whiteNoise(length: number, seed = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    // Box–Muller
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** `source` repeated from its start until `length` samples (a noise recording stretched to a clip's length). */
export function looped(source: Float32Array, length: number): Float32Array {
  if (!source.length) throw new Error('cannot loop an empty signal');
  const out = new Float32Array(length);
  for (let at = 0; at < length; at += source.length) {
    out.set(source.subarray(0, Math.min(source.length, length - at)), at);
  }
  return out;
}

/**
 * Babble: other people talking at once. The sum of the `voices`, each looped to `length` and levelled to the same RMS
 * (so no one voice dominates), for tests, evaluations and the enrolment babble's build.
 */
export function babble(voices: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  for (const voice of voices) {
    let energy = 0;
    for (let i = 0; i < voice.length; i++) energy += voice[i]! * voice[i]!;
    const gain = 1 / Math.sqrt(energy / voice.length + 1e-12);
    const stretched = looped(voice, length);
    for (let i = 0; i < length; i++) out[i]! += gain * stretched[i]!;
  }
  return out;
}

/** Pink (1/f) noise from white noise with Paul Kellet's filter. */
export function pinkNoise(length: number, seed = 2): Float32Array {
  return pinkFilter(whiteNoise(length, seed), 0.11);
}

/** Paul Kellet's refined pink filter over the given white noise, times `gain`. */
export function pinkFilter(white: ArrayLike<number>, gain = 1): Float32Array {
  const out = new Float32Array(white.length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let i = 0; i < white.length; i++) {
    const w = white[i]!;
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * gain;
    b6 = w * 0.115926;
  }
  return out;
}

/** Pieces of audio one after the other, in one array. */
export function concatSamples(
  pieces: Float32Array[],
  total = pieces.reduce((n, p) => n + p.length, 0),
): Float32Array {
  const out = new Float32Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
