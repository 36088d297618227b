import { CohortScoreNormaliser, decodeFloat16, encodeFloat16 } from './cohort-normaliser.js';
import { cosine, gaussian, seededRandom } from '@mira/core';

const D = 48;
const uniform = seededRandom(7);
const random = () => gaussian(uniform);
const vector = () => Float32Array.from({ length: D }, random);
const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
/** One utterance's embedding: the speaker's direction, the session's variation, and the channel's signature. */
const utterance = (speaker: Float32Array, channel: Float32Array | null) =>
  unit(speaker.map((x, i) => x + random() + (channel ? 1.6 * channel[i]! : 0)));

function eer(targets: number[], nonTargets: number[]): number {
  let best = 1;
  for (const t of [...targets, ...nonTargets]) {
    const frr = targets.filter((s) => s < t).length / targets.length;
    const far = nonTargets.filter((s) => s >= t).length / nonTargets.length;
    best = Math.min(best, Math.max(frr, far));
  }
  return best;
}

describe('speaker score normalisation against a cohort (a channel must not look like a voice)', () => {
  // A telephone channel adds the same signature to every voice it carries: to raw cosine, two different voices on
  // the telephone look as alike as one wideband voice with itself.
  const telephone = vector();
  const cohortRows: Float32Array[] = [];
  for (let i = 0; i < 300; i++) {
    const stranger = vector();
    cohortRows.push(utterance(stranger, null), utterance(stranger, telephone));
  }
  const flat = new Float32Array(cohortRows.length * D);
  cohortRows.forEach((row, i) => flat.set(row, i * D));
  const normaliser = new CohortScoreNormaliser(flat, D, 50);

  const people = Array.from({ length: 8 }, (_, i) => ({ voice: vector(), phone: i % 2 === 0 }));
  const enrolled = people.map((p) => {
    const sum = new Float32Array(D);
    for (let k = 0; k < 3; k++)
      utterance(p.voice, p.phone ? telephone : null).forEach((x, i) => (sum[i]! += x));
    return unit(sum);
  });
  const trials = {
    raw: { t: [] as number[], n: [] as number[] },
    norm: { t: [] as number[], n: [] as number[] },
  };
  let rawTop1 = 0;
  let normTop1 = 0;
  let total = 0;
  for (const [who, person] of people.entries()) {
    for (let k = 0; k < 6; k++) {
      const test = utterance(person.voice, person.phone ? telephone : null);
      const raw = enrolled.map((e) => cosine(test, e));
      const norm = normaliser.scores(test, enrolled);
      raw.forEach((s, j) => (j === who ? trials.raw.t : trials.raw.n).push(s));
      norm.forEach((s, j) => (j === who ? trials.norm.t : trials.norm.n).push(s));
      if (raw.indexOf(Math.max(...raw)) === who) rawTop1++;
      if (norm.indexOf(Math.max(...norm)) === who) normTop1++;
      total++;
    }
  }

  it('separates same-speaker from different-speaker trials across channels far better than raw cosine', () => {
    const rawEer = eer(trials.raw.t, trials.raw.n);
    const normEer = eer(trials.norm.t, trials.norm.n);
    expect(rawEer).toBeGreaterThan(0.15); // the channel defeats one cosine threshold
    expect(normEer).toBeLessThan(rawEer / 3);
    expect(normTop1).toBeGreaterThanOrEqual(rawTop1);
    expect(normTop1 / total).toBeGreaterThan(0.9);
  });

  it('scores an exact repeat of the enrolment highest, and is symmetric in test and reference', () => {
    const a = enrolled[1]!;
    const b = enrolled[2]!;
    const [self, other] = normaliser.scores(a, [a, b]);
    expect(self!).toBeGreaterThan(other!);
    expect(normaliser.scores(a, [b])[0]).toBeCloseTo(normaliser.scores(b, [a])[0]!, 5);
  });

  it('computes cross-selected AS-norm exactly (checked against a direct computation), the same when cached', () => {
    const topK = 50;
    const direct = (test: Float32Array, reference: Float32Array) => {
      const nearest = (v: Float32Array) =>
        cohortRows
          .map((row, i) => ({ i, s: cosine(v, row) }))
          .sort((a, b) => b.s - a.s)
          .slice(0, topK)
          .map((x) => x.i);
      const stats = (v: Float32Array, rows: number[]) => {
        const s = rows.map((i) => cosine(v, cohortRows[i]!));
        const mean = s.reduce((a, b) => a + b, 0) / s.length;
        return { mean, std: Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length) };
      };
      const raw = cosine(test, reference);
      const e = stats(reference, nearest(test));
      const t = stats(test, nearest(reference));
      return 0.5 * ((raw - e.mean) / e.std + (raw - t.mean) / t.std);
    };
    const test = utterance(people[3]!.voice, telephone);
    const first = normaliser.scores(test, enrolled);
    enrolled.forEach((reference, j) => expect(first[j]).toBeCloseTo(direct(test, reference), 4));
    expect(normaliser.scores(test, enrolled)).toEqual(first); // second call: reference profiles from the cache
  });

  it('refuses a cohort that does not fit the model, and embeddings of another dimension', () => {
    expect(() => new CohortScoreNormaliser(new Float32Array(10), 3, 2)).toThrow(/rows of 3/);
    expect(() => new CohortScoreNormaliser(new Float32Array(30).fill(1), 3, 20)).toThrow(/top-K/);
    expect(() => new CohortScoreNormaliser(new Float32Array(30), 3, 5)).toThrow(/all zeros/);
    expect(() => normaliser.scores(new Float32Array(D + 1), enrolled)).toThrow(/dimensions differ/);
  });
});

describe('float16 cohort file encoding', () => {
  it('round-trips unit-vector values within half precision, with exact known bit patterns', () => {
    const values = Float32Array.from([0, 1, -2, 0.5, 0.333333, -0.0001, 3e-6, 65504]);
    const bytes = encodeFloat16(values);
    expect(bytes.readUInt16LE(2)).toBe(0x3c00); // 1.0
    expect(bytes.readUInt16LE(4)).toBe(0xc000); // -2.0
    const back = decodeFloat16(bytes);
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) / 1024 + 6e-8));
    expect(() => decodeFloat16(new Uint8Array(3))).toThrow(/odd/);
  });
});
