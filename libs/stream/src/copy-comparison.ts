/**
 * Comparing copies of the SAME sound heard by several microphones (pure functions; README.md, section Streams).
 *
 * Per-clip quality scores are not commensurable across devices (gain, VAD cut, noise colour), so the arbitration
 * ranks the copies of one group with a cross-copy SNR: the copy with the best percentile SNR (NIST STNR style:
 * 85th vs 15th percentile of 20 ms frame energies) is the reference; its loudest frames (≥ 70th percentile) are
 * "speech" and its quietest (≤ 30th percentile) are "noise"; every copy is aligned to the reference by
 * cross-correlating log-energy envelopes (± 600 ms), and its SNR is its mean power in the speech frames over its mean
 * power in the noise frames. All copies are thus measured on the same speech and the same pauses. A second pass
 * repeats this with each of the two leading copies as reference and averages (+5 points of accuracy offline).
 * Measured on `npm run eval:arbitration` against the per-clip quality score (BENCHMARKS.md, section Streams).
 */

export const FRAME_SAMPLES = 320; // 20 ms at 16 kHz
const MAX_LAG_FRAMES = 30; // ± 600 ms
const SPEECH_PERCENTILE = 0.7;
const NOISE_PERCENTILE = 0.3;

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

/** SNR (dB) of every copy measured on the reference copy's speech and noise frames (see the file comment). */
export function snrAgainstReference(envelopes: Float64Array[], refIndex: number): number[] {
  const ref = envelopes[refIndex]!;
  const speechAt = percentile(ref, SPEECH_PERCENTILE);
  const noiseAt = percentile(ref, NOISE_PERCENTILE);
  return envelopes.map((env) => {
    const lag = envelopeLag(ref, env);
    let speech = 0;
    let speechFrames = 0;
    let noise = 0;
    let noiseFrames = 0;
    for (let t = 0; t < ref.length; t++) {
      const u = t + lag;
      if (u < 0 || u >= env.length) continue;
      if (ref[t]! >= speechAt) {
        speech += env[u]!;
        speechFrames++;
      } else if (ref[t]! <= noiseAt) {
        noise += env[u]!;
        noiseFrames++;
      }
    }
    if (speechFrames === 0 || noiseFrames === 0) return percentileSnrDb(env);
    const n = Math.max(noise / noiseFrames, 1e-12);
    return 10 * Math.log10(Math.max(speech / speechFrames - n, 1e-12) / n);
  });
}

/**
 * Cross-copy SNR (dB) of each copy, in input order. First pass: the copy with the best percentile SNR is the
 * reference. Second pass: the two best copies of the first pass each serve as reference and the two measurements are
 * averaged, so the choice between the leading copies does not depend on which one labelled the frames.
 * A single copy gets its percentile SNR.
 */
export function crossCopySnrDb(copies: Float32Array[]): number[] {
  const envelopes = copies.map((c) => frameEnergies(c));
  const own = envelopes.map((e) => percentileSnrDb(e));
  if (copies.length < 2) return own;
  const first = snrAgainstReference(
    envelopes,
    own.reduce((best, v, i) => (v > own[best]! ? i : best), 0),
  );
  const [a, b] = first
    .map((v, i) => ({ v, i }))
    .sort((x, y) => y.v - x.v || x.i - y.i)
    .map((x) => x.i);
  const byA = snrAgainstReference(envelopes, a!);
  const byB = snrAgainstReference(envelopes, b!);
  return byA.map((v, i) => (v + byB[i]!) / 2);
}

/**
 * The audio component (0–100) used to rank copies of one group: −10 dB → 0, 50 dB → 100, times the AudioModule's
 * clipping penalty (1 % clipped samples cost 25 %).
 */
export function copyAudioScore(snrDb: number, clippingRatio: number): number {
  const snrScore = Math.min(1, Math.max(0, (snrDb + 10) / 60)) * 100;
  return snrScore * Math.max(0, 1 - 25 * clippingRatio);
}
