/**
 * Comparing copies of the SAME sound heard by several microphones (pure functions; docs/streams.md).
 *
 * Per-clip quality scores are not commensurable across devices (gain, VAD cut, noise colour), so the arbitration
 * ranks the copies of one group with a coherent cross-copy SNR: every pair of copies is aligned to the sample
 * (log-envelope cross-correlation ± 600 ms, then the waveform cross-correlation by FFT ± 25 ms around it); their
 * cross-power is the shared sound only, since independent noises average out of it; the time variation of speech
 * splits it between the two copies (pairSnr); each copy's noise is its power minus its share of the shared sound.
 * No frame is labelled speech or noise, so no copy's own noise biases its measurement (labelling frames by one
 * copy's percentiles favours that copy under non-stationary noise), and gain does not matter. Measured on
 * `npm run eval:arbitration` (BENCHMARKS.md, Streams); developed with eval/arbitration-offline.ts. Copies that overlap in
 * time but share no coherent sound are different sounds (two rooms): compareCopies tells them apart. Stream arbitration
 * runs it through AudioService.compareCopies (on the audio worker threads).
 */

import { envelopeLag, FRAME_SAMPLES, frameEnergies, sampleLag } from './copy-alignment.js';

const FINE_LAG_SAMPLES = 400; // ± 25 ms around the envelope lag
/** Below this squared correlation a pair tells nothing about its copies' SNRs (two −5 dB copies of one sound: 0.057). */
const MIN_COHERENCE = 0.02;
/**
 * From this squared correlation on two copies heard one sound. Lower than MIN_COHERENCE: taking one sound for two
 * forwards the same words twice. Two talkers stayed below it in `npm run eval:arbitration:rooms`.
 */
const SAME_SOUND_MIN_COHERENCE = 0.01;

function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Percentile SNR of one clip in dB (85th over 15th percentile of frame energies). */
export function percentileSnrDb(energies: ArrayLike<number>): number {
  const noise = Math.max(percentile(energies, 0.15), 1e-12);
  const loud = percentile(energies, 0.85);
  return 10 * Math.log10(Math.max(loud - noise, 1e-12) / noise);
}

export interface PairEstimate {
  /** SNR (dB) of the first and the second copy; NaN when the pair shares no coherent sound. */
  snrA: number;
  snrB: number;
  /** Squared correlation coefficient of the aligned copies (0–1): how much the pair tells about its copies. */
  coherence: number;
}

/**
 * Coherent SNR of two sample-aligned copies x[n] ≈ gx·s[n] + nx[n], y[n + lag] ≈ gy·s[n] + ny[n] with independent
 * noises. Their cross-power C = gx·gy·Ps is the common sound alone (noise averages out), but one pair cannot split
 * it into gx²·Ps and gy²·Ps. Speech is what varies over time: per 20 ms frame, power_x(t) = (gx/gy)·c(t) + σx² with
 * c(t) the frame cross-power, so the slopes of each copy's frame power against c(t) give (gx/gy)² as their ratio
 * (the regression attenuation is shared and cancels). Then signal x = C·gx/gy, noise x = power x − signal x.
 */
export function pairSnr(x: Float32Array, y: Float32Array, lag: number): PairEstimate {
  const from = Math.max(0, -lag);
  const to = Math.min(x.length, y.length - lag);
  const frames = Math.floor((to - from) / FRAME_SAMPLES);
  const none = { snrA: NaN, snrB: NaN, coherence: 0 };
  if (frames < 20) return none;
  const px = new Float64Array(frames);
  const py = new Float64Array(frames);
  const c = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let a = 0;
    let b = 0;
    let d = 0;
    for (let n = from + f * FRAME_SAMPLES; n < from + (f + 1) * FRAME_SAMPLES; n++) {
      const u = x[n]!;
      const v = y[n + lag]!;
      a += u * u;
      b += v * v;
      d += u * v;
    }
    px[f] = a / FRAME_SAMPLES;
    py[f] = b / FRAME_SAMPLES;
    c[f] = d / FRAME_SAMPLES;
  }
  const mean = (z: Float64Array) => z.reduce((s, v) => s + v, 0) / z.length;
  const [mx, my, mc] = [mean(px), mean(py), mean(c)];
  let sx = 0;
  let sy = 0;
  for (let f = 0; f < frames; f++) {
    sx += (px[f]! - mx) * (c[f]! - mc);
    sy += (py[f]! - my) * (c[f]! - mc);
  }
  if (!(mc > 0 && sx > 0 && sy > 0 && mx > 0 && my > 0)) return none;
  const ratio = Math.sqrt(sx / sy); // gx / gy
  const db = (signal: number, total: number) =>
    10 * Math.log10(signal / Math.max(total - signal, total * 1e-6));
  return {
    snrA: db(mc * ratio, mx),
    snrB: db(mc / ratio, my),
    coherence: Math.min(1, (mc * mc) / (mx * my)),
  };
}

/** What comparing the overlapping copies of one moment tells. */
export interface CopyComparison {
  /** Cross-copy SNR (dB) of each copy, in input order. */
  snrDb: number[];
  /**
   * The distinct sounds among the copies: lists of input indexes, every copy in exactly one, in order of their
   * first copy. One list when all copies heard one sound (the usual case: one room).
   */
  sounds: number[][];
}

/**
 * Compares copies that overlap in time. Every pair measured is aligned (log-envelope lag, then the sample lag within
 * ± 25 ms of it) and measured coherently (pairSnr); a copy's SNR is the mean of its pair estimates weighted by the
 * pairs' coherence, so a partner that is mostly noise hardly counts. A single copy, or one that shares no coherent
 * sound with any other (squared correlation < MIN_COHERENCE), gets its own percentile SNR. With many copies each is
 * paired only with the MAX_PARTNERS copies of best own SNR (O(n) pairs, not O(n²)); copies coherent with none of them
 * are then paired among themselves the same way, so a second room's devices are compared with each other.
 *
 * Sounds: copies linked by coherent pairs heard one sound. Two devices in different rooms overlapping in time hear
 * different sounds, and both must be kept: a group of copies is a sound of its own only when its clearest copy is at
 * least SEPARATE_SOUND_MIN_SNR_DB above its noise; a faint group (noise, or a far echo whose waveform no longer
 * correlates) joins the sound it is most coherent with, else the clearest one.
 */
export function compareCopies(copies: Float32Array[]): CopyComparison {
  const steps = comparisonSteps(copies);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** compareCopies giving the event loop a turn after every pair: ingestion stays responsive. */
export async function compareCopiesAsync(copies: Float32Array[]): Promise<CopyComparison> {
  const steps = comparisonSteps(copies);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const MAX_PARTNERS = 3; // 2–4 microphones: every pair, as evaluated; more: pairs with the 3 best-heard copies
/** Percentile SNR (dB) a group of copies needs to count as a sound of its own (see compareCopies). */
export const SEPARATE_SOUND_MIN_SNR_DB = 10;

function* comparisonSteps(copies: Float32Array[]): Generator<void, CopyComparison> {
  const envelopes = copies.map((c) => frameEnergies(c));
  const own = envelopes.map((e) => percentileSnrDb(e));
  const n = copies.length;
  const sums = copies.map(() => ({ value: 0, weight: 0 }));
  const coherence = new Map<number, number>(); // i * n + j (i < j) → coherence of the measured pair
  const root = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i]!)));
  let unpaired = own.map((_, i) => i);
  while (unpaired.length >= 2) {
    const partners = new Set(
      [...unpaired]
        .sort((a, b) => own[b]! - own[a]!)
        .slice(0, unpaired.length <= MAX_PARTNERS + 1 ? unpaired.length : MAX_PARTNERS),
    );
    for (let x = 0; x < unpaired.length; x++) {
      for (let y = x + 1; y < unpaired.length; y++) {
        const [i, j] = [unpaired[x]!, unpaired[y]!].sort((a, b) => a - b) as [number, number];
        if (!partners.has(i) && !partners.has(j)) continue;
        const coarse = envelopeLag(envelopes[i]!, envelopes[j]!) * FRAME_SAMPLES;
        const lag = sampleLag(copies[i]!, copies[j]!, coarse, FINE_LAG_SAMPLES, envelopes[i]!);
        const pair = pairSnr(copies[i]!, copies[j]!, lag);
        coherence.set(i * n + j, pair.coherence);
        yield;
        if (pair.coherence >= SAME_SOUND_MIN_COHERENCE) root[find(i)] = find(j);
        if (pair.coherence < MIN_COHERENCE) continue;
        if (!Number.isFinite(pair.snrA) || !Number.isFinite(pair.snrB)) continue;
        sums[i]!.value += pair.coherence * pair.snrA;
        sums[i]!.weight += pair.coherence;
        sums[j]!.value += pair.coherence * pair.snrB;
        sums[j]!.weight += pair.coherence;
      }
    }
    // Clear copies that share nothing with this round's partners may be another room: compare them with each other.
    const linked = new Set([...partners].map(find));
    unpaired = unpaired.filter(
      (i) => !partners.has(i) && !linked.has(find(i)) && own[i]! >= SEPARATE_SOUND_MIN_SNR_DB,
    );
  }
  const snrDb = sums.map((s, i) => (s.weight > 0 ? s.value / s.weight : own[i]!));
  return {
    snrDb,
    sounds: soundsOf(own, find, (i, j) => coherence.get(Math.min(i, j) * n + Math.max(i, j)) ?? 0),
  };
}

/** The distinct sounds (compareCopies): linked copies, faint groups joined to the sound they resemble most. */
function soundsOf(
  own: number[],
  find: (i: number) => number,
  coherenceOf: (i: number, j: number) => number,
): number[][] {
  const groups = new Map<number, number[]>();
  own.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
  const clearest = (g: number[]) => Math.max(...g.map((i) => own[i]!));
  const all = [...groups.values()];
  const clear = all.filter((g) => clearest(g) >= SEPARATE_SOUND_MIN_SNR_DB);
  if (clear.length <= 1) return [own.map((_, i) => i)];
  const byClarity = [...clear].sort((a, b) => clearest(b) - clearest(a));
  for (const faint of all.filter((g) => !clear.includes(g))) {
    const resemblance = (g: number[]) => Math.max(...faint.flatMap((i) => g.map((j) => coherenceOf(i, j))));
    const target = byClarity.reduce(
      (best, g) => (resemblance(g) > resemblance(best) ? g : best),
      byClarity[0]!,
    );
    target.push(...faint);
  }
  return clear.map((g) => g.sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
}
