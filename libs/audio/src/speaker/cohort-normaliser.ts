import { readFileSync } from 'node:fs';
import { LruCache, unitVector } from '@mira/core/util';

/** Compares a test embedding with reference embeddings (person centroids) on one scale: higher = same speaker. */
export interface SpeakerScoreNormaliser {
  /** Name of the scale the scores are on (thresholds belong to it). */
  readonly scale: string;
  readonly cohortSize: number;
  scores(test: Float32Array, references: Float32Array[]): number[];
}

/**
 * Adaptive symmetric score normalisation (AS-norm) against a cohort: embeddings of voices that are nobody in any
 * network (training speakers, heard clean, through noise and the denoiser, and over a telephone band).
 *
 * Why: a raw cosine also measures the recording channel. Two different 8 kHz telephone voices score as high as one
 * 16 kHz voice with itself, so no single cosine threshold fits both. Normalising each score by how high the same
 * embedding scores against strangers makes "how unusual is this match" comparable across channels and noise.
 *
 * Cross-selected: the enrolment side's impostor statistics come from the K cohort voices nearest the TEST and vice
 * versa, so each side is compared with strangers heard in the other side's conditions (a clean telephone enrolment
 * against a noisy test is judged by noisy strangers, not by clean telephone ones). On the model's dev split this beat
 * both plain AS-norm and raw cosine (training/speaker/README.md, BENCHMARKS.md).
 */
export class CohortScoreNormaliser implements SpeakerScoreNormaliser {
  readonly scale = 'as-norm';
  readonly cohortSize: number;
  /** Kept reference profiles (cosines with the cohort, nearest rows), by reference content, least recently used out. */
  private readonly profiles = new LruCache<string, { cohort: Float32Array; near: Uint32Array }>(
    PROFILE_CACHE_SIZE,
  );

  /** `cohort`: row-major N × dimension; rows are re-normalised in place. */
  constructor(
    private readonly cohort: Float32Array,
    readonly dimension: number,
    readonly topK: number,
  ) {
    if (dimension <= 0 || cohort.length === 0 || cohort.length % dimension !== 0) {
      throw new Error(`cohort of ${cohort.length} values does not hold rows of ${dimension}`);
    }
    this.cohortSize = cohort.length / dimension;
    if (topK < 2 || topK > this.cohortSize) {
      throw new Error(`cohort top-K ${topK} must be between 2 and the cohort size ${this.cohortSize}`);
    }
    for (let r = 0; r < this.cohortSize; r++) {
      const row = cohort.subarray(r * dimension, (r + 1) * dimension);
      const normalised = unitVector(row);
      if (normalised.every((x) => x === 0)) throw new Error(`cohort row ${r} is all zeros`);
      row.set(normalised);
    }
  }

  /** Reads a cohort file: little-endian float16, N rows of `dimension` values. */
  static fromFile(path: string, dimension: number, topK: number): CohortScoreNormaliser {
    return new CohortScoreNormaliser(decodeFloat16(readFileSync(path)), dimension, topK);
  }

  scores(test: Float32Array, references: Float32Array[]): number[] {
    const testUnit = unit(test, this.dimension);
    const testCohort = this.similarities(testUnit);
    const nearTest = topIndices(testCohort, this.topK);
    return references.map((reference) => {
      const referenceUnit = unit(reference, this.dimension);
      const { cohort: referenceCohort, near: nearReference } = this.profileOf(referenceUnit);
      let raw = 0;
      for (let i = 0; i < this.dimension; i++) raw += testUnit[i]! * referenceUnit[i]!;
      const referenceStats = meanStd(referenceCohort, nearTest);
      const testStats = meanStd(testCohort, nearReference);
      return (
        0.5 * ((raw - referenceStats.mean) / referenceStats.std + (raw - testStats.mean) / testStats.std)
      );
    });
  }

  /**
   * A reference's cosines with the cohort and its nearest rows. References are person centroids, which change only
   * when their voiceprints do, so profiles are kept (by content, least recently used out) instead of being
   * recomputed for every utterance: that is most of the cost of scoring (bench:audio).
   */
  private profileOf(referenceUnit: Float32Array): { cohort: Float32Array; near: Uint32Array } {
    const key = Buffer.from(
      referenceUnit.buffer,
      referenceUnit.byteOffset,
      referenceUnit.byteLength,
    ).toString('base64');
    const cached = this.profiles.get(key);
    if (cached) return cached;
    const cohort = this.similarities(referenceUnit);
    const profile = { cohort, near: topIndices(cohort, this.topK) };
    this.profiles.set(key, profile);
    return profile;
  }

  /** Cosine of a unit vector with every cohort row. */
  private similarities(v: Float32Array): Float32Array {
    const out = new Float32Array(this.cohortSize);
    const d = this.dimension;
    for (let r = 0; r < this.cohortSize; r++) {
      let dot = 0;
      const base = r * d;
      for (let i = 0; i < d; i++) dot += this.cohort[base + i]! * v[i]!;
      out[r] = dot;
    }
    return out;
  }
}

function unit(v: Float32Array, dimension: number): Float32Array {
  if (v.length !== dimension) throw new Error(`Embedding dimensions differ (${v.length} vs ${dimension})`);
  return unitVector(v);
}

/** Reference profiles kept: about 16 KB each for a 2,038-voice cohort. */
const PROFILE_CACHE_SIZE = 512;

/** Indices of the k largest values (native numeric sort for the k-th value, then one pass). */
function topIndices(values: Float32Array, k: number): Uint32Array {
  const sorted = Float32Array.from(values).sort();
  const kth = sorted[values.length - k]!;
  let above = 0;
  for (let i = values.length - k + 1; i < values.length; i++) if (sorted[i]! > kth) above++;
  let ties = k - above; // values equal to the k-th that still fit
  const out = new Uint32Array(k);
  let n = 0;
  for (let i = 0; i < values.length && n < k; i++) {
    const v = values[i]!;
    if (v > kth) out[n++] = i;
    else if (v === kth && ties > 0) {
      out[n++] = i;
      ties--;
    }
  }
  return out;
}

function meanStd(values: Float32Array, indices: Uint32Array): { mean: number; std: number } {
  let sum = 0;
  for (const i of indices) sum += values[i]!;
  const mean = sum / indices.length;
  let sq = 0;
  for (const i of indices) sq += (values[i]! - mean) ** 2;
  // a degenerate cohort (all equal scores) must not divide by zero
  return { mean, std: Math.max(Math.sqrt(sq / indices.length), 1e-4) };
}

/** IEEE 754 half precision, little-endian (the cohort file format: half the size, ample for cosines). */
export function encodeFloat16(values: Float32Array): Buffer {
  const out = Buffer.alloc(values.length * 2);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = ((x >>> 23) & 0xff) - 127 + 15;
    const mantissa = x & 0x7fffff;
    let half: number;
    if (exponent <= 0) {
      // subnormal half (or zero): |v| < 6.1e-5
      half = exponent < -10 ? sign : sign | ((mantissa | 0x800000) >> (1 - exponent + 13));
    } else if (exponent >= 31) {
      half = sign | 0x7c00; // overflow → infinity (never for unit vectors)
    } else {
      half = sign | (exponent << 10) | (mantissa >> 13);
      if (mantissa & 0x1000) half++; // round half up on the dropped bits
    }
    out.writeUInt16LE(half, i * 2);
  }
  return out;
}

/** The float32 value of every IEEE 754 half (65,536 of them), built on first use. */
let halfValues: Float32Array | undefined;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  return exponent === 0
    ? sign * mantissa * 2 ** -24
    : exponent === 31
      ? mantissa
        ? NaN
        : sign * Infinity
      : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Little-endian float16 → float32, one table lookup per value: a start decodes the speaker cohort (~700,000 halves)
 * and the enrolment babble, and the lookup takes a sixth of the time of computing each value (0.03 s vs 0.18 s).
 */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  if (bytes.length % 2 !== 0) throw new Error('float16 data has an odd number of bytes');
  if (!halfValues) {
    halfValues = new Float32Array(65_536);
    for (let h = 0; h < 65_536; h++) halfValues[h] = halfToFloat(h);
  }
  const table = halfValues;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = table[view.getUint16(i * 2, true)]!;
  return out;
}
