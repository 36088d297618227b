import { unitVector } from '@mira/core';
import { defaultPolicyFor } from '@mira/recognition';
import { candidateTurns, distinctVoicesBelow, mergeVoices, sameVoices } from './chunk-voices.js';

const turn = (start: number, end: number, speaker: string) => ({ start, end, speaker });
/** Cosine scoring, as a model without a cohort scores. */
const cosine = (test: Float32Array, references: Float32Array[]) => ({
  scores: references.map((r) => r.reduce((s, x, i) => s + x * test[i]!, 0)),
});
const voice = (...xs: number[]) => unitVector(Float32Array.from(xs));

describe('chunk voices: when one chunk is several interactions', () => {
  it('one voice, or voices only in turns too short to be utterances, is one voice (null)', () => {
    expect(candidateTurns([turn(0.5, 9, 'S1')])).toBeNull();
    expect(candidateTurns([])).toBeNull();
    // a 0.2 s blip of another voice between two turns of one voice goes to the voice before it
    expect(candidateTurns([turn(0.5, 5, 'S1'), turn(5, 5.2, 'S2'), turn(5.2, 9, 'S1')])).toBeNull();
  });

  it('two voices: their turns in time order; a short turn at the start goes to the voice after it', () => {
    expect(
      candidateTurns([turn(0.3, 0.5, 'S2'), turn(0.5, 4, 'S1'), turn(4.2, 8, 'S2'), turn(8.2, 9.5, 'S1')]),
    ).toEqual([turn(0.3, 4, 'S1'), turn(4.2, 8, 'S2'), turn(8.2, 9.5, 'S1')]);
  });

  it('voices named as the same person, or not clearly unlike each other, are one voice; others stay apart', () => {
    const a = voice(1, 0, 0);
    const b = voice(0, 1, 0);
    const nearA = voice(1, 0.2, 0);
    // S2 is the same person as S1 by the policy's name; S3 scores like S1
    const representative = sameVoices(
      [
        { label: 'S1', personId: 'p1', embedding: a },
        { label: 'S2', personId: 'p1', embedding: b },
        { label: 'S3', personId: null, embedding: nearA },
        { label: 'S4', personId: null, embedding: b },
      ],
      cosine,
      0.3,
    );
    expect([...representative]).toEqual([
      ['S1', 'S1'],
      ['S2', 'S1'],
      ['S3', 'S1'],
      // S4 scores like S2, which is in S1's group: a group is one voice
      ['S4', 'S1'],
    ]);
    const apart = sameVoices(
      [
        { label: 'S1', personId: null, embedding: a },
        { label: 'S2', personId: null, embedding: b },
        { label: 'S3', personId: null, embedding: null },
      ],
      cosine,
      0.3,
    );
    // without an embedding a voice cannot be compared, so it stays apart
    expect([...apart]).toEqual([
      ['S1', 'S1'],
      ['S2', 'S2'],
      ['S3', 'S3'],
    ]);
    expect(
      mergeVoices([turn(0, 3, 'S1'), turn(3, 6, 'S2'), turn(6, 9, 'S3')], new Map([['S2', 'S1']])),
    ).toEqual([turn(0, 6, 'S1'), turn(6, 9, 'S3')]);
  });

  it('tells voices apart only below the policy’s new-person line, lower in noise', () => {
    const policy = defaultPolicyFor('mira-speaker-v1', 'as-norm');
    expect(distinctVoicesBelow(policy, 30)).toBeCloseTo(
      policy.matchThreshold - policy.newPersonSimilarityGap,
    );
    expect(distinctVoicesBelow(policy, null)).toBe(distinctVoicesBelow(policy, 30));
    expect(distinctVoicesBelow(policy, 5)).toBeCloseTo(
      policy.noisyMatchThreshold - policy.newPersonSimilarityGap,
    );
    expect(distinctVoicesBelow(policy, 5)).toBeLessThan(distinctVoicesBelow(policy, 30));
  });
});
