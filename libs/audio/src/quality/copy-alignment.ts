/**
 * Aligning two copies of one sound to the sample (pure functions, used by cross-copy-snr.ts): the lag of their log
 * frame-energy envelopes (± 600 ms), then the lag of their waveforms' cross-correlation within ± 25 ms of it.
 */

import { Fft } from '../dsp/fft.js';

export const FRAME_SAMPLES = 320; // 20 ms at 16 kHz
const MAX_LAG_FRAMES = 30; // ± 600 ms
export function frameEnergies(samples: Float32Array, frame = FRAME_SAMPLES): Float64Array {
  const n = Math.floor(samples.length / frame);
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) s += samples[i]! * samples[i]!;
    out[f] = s / frame;
  }
  return out;
}

/** The lag k (frames) maximising the correlation of log envelopes, a[t] ≈ b[t + k]. */
export function envelopeLag(a: ArrayLike<number>, b: ArrayLike<number>, maxLag = MAX_LAG_FRAMES): number {
  const la = Array.from(a, (v) => Math.log(v + 1e-10));
  const lb = Array.from(b, (v) => Math.log(v + 1e-10));
  const ma = la.reduce((x, y) => x + y, 0) / Math.max(1, la.length);
  const mb = lb.reduce((x, y) => x + y, 0) / Math.max(1, lb.length);
  let best = 0;
  let bestValue = -Infinity;
  for (let k = -maxLag; k <= maxLag; k++) {
    let sum = 0;
    let count = 0;
    for (let t = 0; t < la.length; t++) {
      const u = t + k;
      if (u < 0 || u >= lb.length) continue;
      sum += (la[t]! - ma) * (lb[u]! - mb);
      count++;
    }
    if (count >= 20 && sum / count > bestValue) {
      bestValue = sum / count;
      best = k;
    }
  }
  return best;
}

/** Samples the lag is measured on: ~0.5 s of the loudest speech (± 25 ms fits the full-rate FFT without wrap-around). */
const ALIGN_WINDOW_SAMPLES = 7791;
const FULL_FFT_SIZE = 16384;
/** The cross-correlation is first searched at 4 kHz (sums of 4 samples: speech's energy is below 4 kHz). */
const ALIGN_DECIMATION = 4;
const COARSE_FFT_SIZE = 4096; // the decimated window and ± 25 ms, no wrap-around
/** ± samples (16 kHz) the full-rate check searches around the decimated correlation's peak. */
const ALIGN_REFINE_SAMPLES = 2 * ALIGN_DECIMATION;
/**
 * The decimated search is trusted only when its highest peak stands out: a second peak at least this high (relative)
 * means the waveform correlation has several peaks of similar height (reverberation, a voiced sound's periods),
 * where decimation can pick the wrong one, so the full-rate search decides.
 */
export const ALIGN_AMBIGUOUS_PEAK_RATIO = 0.8;
/**
 * Squared correlation coefficient of the window at the refined lag below which the pair is too faint for the
 * decimated search to be trusted (the same-sound decision is made near 0.01–0.02 on whole copies): full-rate search.
 */
export const ALIGN_WEAK_PEAK_R2 = 0.05;
// twiddles computed once; sampleLag is synchronous, so sharing them is safe
const coarseFft = new Fft(COARSE_FFT_SIZE);
const fullFft = new Fft(FULL_FFT_SIZE);

/**
 * Sample lag L maximising Σ a[n]·b[n + L] within ± `radius` of `around`, measured on the loudest ~0.5 s of `a` (a
 * speech burst pins the lag to the sample as well as the whole clip does, and the cost does not grow with the clip).
 * Coarse to fine: the window decimated to 4 kHz is cross-correlated by one 4096-point FFT, and Σ a[n]·b[n + L] itself
 * picks the sample among the ± ALIGN_REFINE_SAMPLES around its highest peak (decimatedSampleLag). When that peak does
 * not stand out (a second peak nearly as high) or the window barely correlates at the lag found, the lag is searched
 * at the full rate by a 16384-point FFT cross-correlation instead (about three times the cost).
 */
export function sampleLag(
  a: Float32Array,
  b: Float32Array,
  around: number,
  radius: number,
  envelopeA: ArrayLike<number> = frameEnergies(a),
): number {
  const search = lagSearch(a, b, around, radius, envelopeA);
  return decimatedLag(search) ?? fullRateLag(search);
}

/**
 * sampleLag's coarse-to-fine answer alone: the lag, or null when the decimated correlation's peak is ambiguous or
 * weak (sampleLag then searches at the full rate).
 */
export function decimatedSampleLag(
  a: Float32Array,
  b: Float32Array,
  around: number,
  radius: number,
  envelopeA: ArrayLike<number> = frameEnergies(a),
): number | null {
  return decimatedLag(lagSearch(a, b, around, radius, envelopeA));
}

function lagSearch(
  a: Float32Array,
  b: Float32Array,
  around: number,
  radius: number,
  envelopeA: ArrayLike<number>,
): LagSearch {
  const width = Math.min(a.length, ALIGN_WINDOW_SAMPLES);
  return { a, b, around, radius, start: loudestWindow(envelopeA, width, a.length), width };
}

/** One lag search (sampleLag): lags around ± radius, measured on `width` samples of `a` from `start`. */
interface LagSearch {
  a: Float32Array;
  b: Float32Array;
  around: number;
  radius: number;
  start: number;
  width: number;
}

/** The coarse-to-fine lag (sampleLag), or null when the decimated correlation's peak is ambiguous or weak. */
function decimatedLag(search: LagSearch): number | null {
  const { a, b, around, radius, start, width } = search;
  const d = ALIGN_DECIMATION;
  const coarseRadius = Math.ceil(radius / d);
  const size = COARSE_FFT_SIZE;
  if (Math.ceil(width / d) + 2 * coarseRadius + 1 > size) return null;
  // a's window at 0; b from (start + around − coarseRadius·d), so circular lag k ↔ L = around + (k − coarseRadius)·d
  const frameA = new Float64Array(size);
  const frameB = new Float64Array(size);
  const from = start + around - coarseRadius * d;
  for (let n = 0; n < width; n++) frameA[Math.floor(n / d)] += a[start + n]!;
  for (let n = 0; n < width + 2 * coarseRadius * d; n++) {
    const m = from + n;
    if (m >= 0 && m < b.length) frameB[Math.floor(n / d)] += b[m]!;
  }
  const xcorr = crossCorrelate(coarseFft, frameA, frameB);
  let first = -1;
  let firstValue = -Infinity;
  let secondValue = -Infinity;
  for (let k = 0; k <= 2 * coarseRadius; k++) {
    const value = xcorr[k]!;
    // local maxima only: the shoulders of the highest peak are not a second peak
    if ((k > 0 && xcorr[k - 1]! > value) || (k < 2 * coarseRadius && xcorr[k + 1]! >= value)) continue;
    if (value > firstValue) {
      secondValue = firstValue;
      firstValue = value;
      first = k;
    } else if (value > secondValue) {
      secondValue = value;
    }
  }
  if (first < 0 || !(firstValue > 0) || secondValue >= ALIGN_AMBIGUOUS_PEAK_RATIO * firstValue) return null;
  const peak = around + (first - coarseRadius) * d;
  let energyA = 0;
  for (let n = start; n < start + width; n++) energyA += a[n]! * a[n]!;
  let best = peak;
  let bestValue = -Infinity;
  let bestEnergyB = 0;
  const lo = Math.max(around - radius, peak - ALIGN_REFINE_SAMPLES);
  const hi = Math.min(around + radius, peak + ALIGN_REFINE_SAMPLES);
  for (let lag = lo; lag <= hi; lag++) {
    let sum = 0;
    let energyB = 0;
    for (let n = start; n < start + width; n++) {
      const m = n + lag;
      if (m < 0 || m >= b.length) continue;
      sum += a[n]! * b[m]!;
      energyB += b[m]! * b[m]!;
    }
    if (sum > bestValue) {
      bestValue = sum;
      best = lag;
      bestEnergyB = energyB;
    }
  }
  const r2 = bestValue > 0 ? (bestValue * bestValue) / Math.max(energyA * bestEnergyB, 1e-30) : 0;
  return r2 >= ALIGN_WEAK_PEAK_R2 ? best : null;
}

/** The lag (sampleLag) by the full-rate cross-correlation of the window, one 16384-point FFT pair. */
function fullRateLag(search: LagSearch): number {
  const { a, b, around, radius, start, width } = search;
  const size = FULL_FFT_SIZE;
  const span = Math.min(width, size - 2 * radius - 1);
  // a's window at 0; b from (start + around − radius), so circular lag k ↔ L = around − radius + k
  const frameA = new Float64Array(size);
  const frameB = new Float64Array(size);
  frameA.set(a.subarray(start, start + span));
  const from = start + around - radius;
  for (let n = 0; n < span + 2 * radius; n++) {
    const m = from + n;
    if (m >= 0 && m < b.length) frameB[n] = b[m]!;
  }
  const xcorr = crossCorrelate(fullFft, frameA, frameB);
  let best = around;
  let bestValue = -Infinity;
  for (let k = 0; k <= 2 * radius; k++) {
    if (xcorr[k]! > bestValue) {
      bestValue = xcorr[k]!;
      best = around - radius + k;
    }
  }
  return best;
}

/** Circular cross-correlation Σ x[n]·y[n + k] of two frames of the FFT's size (written over x). */
function crossCorrelate(fft: Fft, x: Float64Array, y: Float64Array): Float64Array {
  const bins = fft.size / 2 + 1;
  const [xr, xi, yr, yi] = [0, 0, 0, 0].map(() => new Float64Array(bins)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  fft.realForward(x, xr, xi);
  fft.realForward(y, yr, yi);
  for (let k = 0; k < bins; k++) {
    // conj(X)·Y
    const re = xr[k]! * yr[k]! + xi[k]! * yi[k]!;
    const im = xr[k]! * yi[k]! - xi[k]! * yr[k]!;
    xr[k] = re;
    xi[k] = im;
  }
  fft.realInverse(xr, xi, x);
  return x;
}

/** Start (sample) of the `width` samples of a clip with the most energy, from its frame energies (sliding sum). */
function loudestWindow(envelope: ArrayLike<number>, width: number, length: number): number {
  const span = Math.max(1, Math.floor(width / FRAME_SAMPLES));
  let bestStart = 0;
  let sum = 0;
  let bestSum = -Infinity;
  for (let f = 0; f < envelope.length; f++) {
    sum += envelope[f]!;
    if (f >= span) sum -= envelope[f - span]!;
    if (f >= span - 1 && sum > bestSum) {
      bestSum = sum;
      bestStart = (f - span + 1) * FRAME_SAMPLES;
    }
  }
  return Math.max(0, Math.min(bestStart, length - width));
}
