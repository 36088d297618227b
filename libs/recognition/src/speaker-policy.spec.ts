import { centroidOf, cosine } from '@mira/core';
import {
  bestScores,
  identifySpeaker,
  planIdentification,
  PersonCentroid,
  SpeakerPolicy,
} from './speaker-policy.js';
import {
  defaultPolicyFor,
  GENERIC_NORMALISED_POLICY,
  resolveSpeakerPolicy,
} from './speaker-policy-defaults.js';
import { VoiceprintCipher } from './voiceprint-crypto.js';
import { randomBytes } from 'node:crypto';

const policy: SpeakerPolicy = {
  matchThreshold: 0.7,
  matchMargin: 0.1,
  minMatchSpeechSeconds: 1,
  newPersonMinSpeechSeconds: 2,
  newPersonSimilarityGap: 0.15,
  refineSimilarityBonus: 0.1,
  autoSamplesMax: 3,
  noisySnrDb: 12,
  noisyMatchThreshold: 0.6,
  gathering: { sameVoiceScore: 0.8, minUtterances: 3, minTotalSeconds: 6, keepDays: 30 },
};

/** A unit vector at `degrees` from the x axis in the xy plane: cosine between two is cos(Δangle). */
const at = (degrees: number) => {
  const r = (degrees * Math.PI) / 180;
  return new Float32Array([Math.cos(r), Math.sin(r), 0]);
};
const persons: PersonCentroid[] = [
  { personId: 'anna', centroid: at(0), samples: 3 },
  { personId: 'ben', centroid: at(90), samples: 3 },
];

/** Who said what — the speaker identification policy (threshold, margin, evidence). */
describe('speaker identification policy', () => {
  it('matches the nearest person above the threshold with a clear margin, and refines only when confident', () => {
    const strong = identifySpeaker({ embedding: at(10), speechSeconds: 3 }, persons, policy);
    expect(strong).toMatchObject({ kind: 'match', personId: 'anna', refine: true });
    const weak = identifySpeaker({ embedding: at(40), speechSeconds: 3 }, persons, policy); // cos 40° = 0.766
    expect(weak).toMatchObject({ kind: 'match', personId: 'anna', refine: false });
  });

  it('says unknown (with a suggestion, not a label) when two persons are too close to call', () => {
    const close = [...persons, { personId: 'carl', centroid: at(12), samples: 2 }];
    expect(identifySpeaker({ embedding: at(6), speechSeconds: 3 }, close, policy)).toMatchObject({
      kind: 'unknown',
      reason: 'ambiguous',
      suggestedPersonId: expect.any(String),
    });
  });

  it('never decides on too little speech, however similar', () => {
    expect(identifySpeaker({ embedding: at(0), speechSeconds: 0.5 }, persons, policy)).toMatchObject({
      kind: 'unknown',
      reason: 'too_little_speech',
    });
  });

  it('creates a new person only for a voice clearly unlike everyone with enough speech', () => {
    const stranger = new Float32Array([0, 0, 1]);
    expect(identifySpeaker({ embedding: stranger, speechSeconds: 2.5 }, persons, policy)).toEqual({
      kind: 'new_person',
      bestSimilarity: 0,
      bestScore: 0,
    });
    expect(identifySpeaker({ embedding: stranger, speechSeconds: 1.5 }, persons, policy)).toMatchObject({
      kind: 'unknown',
      reason: 'not_enough_evidence_for_new_person',
    });
    // cos 50° = 0.643: below the threshold, but not clearly below (0.7 - 0.15 = 0.55): unknown, not a new person.
    const nearAnna = new Float32Array([Math.cos((50 * Math.PI) / 180), 0, Math.sin((50 * Math.PI) / 180)]);
    expect(identifySpeaker({ embedding: nearAnna, speechSeconds: 5 }, persons, policy)).toMatchObject({
      kind: 'unknown',
      reason: 'below_threshold',
      suggestedPersonId: 'anna',
    });
  });

  it('noisy audio (SNR under noisy_snr_db) is matched at the lower noisy threshold, never founds a person, never refines', () => {
    // 50° from anna out of the anna–ben plane: cos 0.643 to anna (under the clean threshold 0.7, over the noisy
    // 0.6), 0 to ben
    const r = (50 * Math.PI) / 180;
    const muffledAnna = { embedding: new Float32Array([Math.cos(r), 0, Math.sin(r)]), speechSeconds: 3 };
    expect(identifySpeaker({ ...muffledAnna, snrDb: 20 }, persons, policy).kind).toBe('unknown');
    expect(identifySpeaker({ ...muffledAnna, snrDb: null }, persons, policy).kind).toBe('unknown');
    expect(identifySpeaker({ ...muffledAnna, snrDb: 5 }, persons, policy)).toMatchObject({
      kind: 'match',
      personId: 'anna',
    });
    // a noisy match, however close, never becomes a voiceprint sample
    expect(identifySpeaker({ embedding: at(5), speechSeconds: 3, snrDb: 5 }, persons, policy)).toMatchObject({
      kind: 'match',
      refine: false,
    });
    // the margin still applies: halfway between anna and ben is ambiguous, noisy or not
    expect(identifySpeaker({ embedding: at(44), speechSeconds: 3, snrDb: 5 }, persons, policy)).toMatchObject(
      {
        kind: 'unknown',
        reason: 'ambiguous',
      },
    );
    // unlike everyone, enough speech: a new person when clean, unknown when noisy
    const stranger = new Float32Array([0, 0, 1]);
    expect(identifySpeaker({ embedding: stranger, speechSeconds: 3, snrDb: 20 }, persons, policy).kind).toBe(
      'new_person',
    );
    expect(
      identifySpeaker({ embedding: stranger, speechSeconds: 3, snrDb: 5 }, persons, policy),
    ).toMatchObject({
      kind: 'unknown',
      reason: 'not_enough_evidence_for_new_person',
    });
  });

  it('the first voice in an empty network becomes a person when there is enough speech', () => {
    expect(identifySpeaker({ embedding: at(0), speechSeconds: 3 }, [], policy).kind).toBe('new_person');
  });

  it("decides on the speaker model's normalised scores when given, and reports the cosine beside them", () => {
    // Thresholds apply to the normalised scale: anna's cosine (10° away, 0.98) passes 0.7, but her normalised score
    // 3.0 does not pass 3.5.
    const normalisedPolicy = {
      ...policy,
      matchThreshold: 3.5,
      matchMargin: 0.5,
      refineSimilarityBonus: 1.5,
      newPersonSimilarityGap: 1.5,
    };
    const embedding = at(10);
    const cosines = persons.map((p) => cosine(embedding, p.centroid));
    const scored = (scores: number[]) => ({ scale: 'as-norm', scores, cosines });
    expect(
      identifySpeaker({ embedding, speechSeconds: 3 }, persons, normalisedPolicy, scored([3.0, -1])),
    ).toMatchObject({ kind: 'unknown', reason: 'below_threshold', bestScore: 3, suggestedPersonId: 'anna' });
    const decision = identifySpeaker(
      { embedding, speechSeconds: 3 },
      persons,
      normalisedPolicy,
      scored([4.1, 1.2]),
    );
    expect(decision).toEqual({
      kind: 'match',
      personId: 'anna',
      similarity: Math.round(cosines[0]! * 10_000) / 10_000,
      score: 4.1,
      runnerUp: 1.2,
      refine: false, // 4.1 < 3.5 + 1.5
    });
    // the normalised scale prefers ben, cosine prefers anna: the two views disagree, so nobody is named
    expect(
      identifySpeaker({ embedding, speechSeconds: 3 }, persons, normalisedPolicy, scored([1.2, 4.1])),
    ).toMatchObject({ kind: 'unknown', reason: 'ambiguous', suggestedPersonId: 'ben' });
    expect(
      identifySpeaker({ embedding, speechSeconds: 3 }, persons, normalisedPolicy, {
        scale: 'as-norm',
        scores: [3.9, 3.6],
        cosines,
      }),
    ).toMatchObject({ kind: 'unknown', reason: 'ambiguous' });
    expect(() =>
      identifySpeaker({ embedding, speechSeconds: 3 }, persons, normalisedPolicy, {
        scale: 'as-norm',
        scores: [1],
        cosines: [1],
      }),
    ).toThrow(/1 scores for 2 persons/);
  });

  it('each speaker model has built-in thresholds per scale: cosine, and its cohort-normalised scale', () => {
    const cosinePolicy = defaultPolicyFor('mira-speaker-v1');
    const normalised = defaultPolicyFor('mira-speaker-v1', 'as-norm');
    expect(cosinePolicy.matchThreshold).toBeLessThan(1); // a cosine
    expect(normalised.matchThreshold).toBeGreaterThan(1); // standard deviations above the cohort
    // a model without calibrated normalised thresholds gets the generic normalised row, never cosine numbers
    expect(defaultPolicyFor('some-new-model', 'as-norm')).toEqual(GENERIC_NORMALISED_POLICY);
    // overrides of one scale never leak into the other (their units differ)
    const settings = {
      speaker_id: {
        match_threshold: 0.5,
        normalised: { match_threshold: 4 },
        models: { 'mira-speaker-v1': { normalised: { match_margin: 0.7 } } },
      },
    };
    expect(
      resolveSpeakerPolicy('mira-speaker-v1', { matchThreshold: 0.6 }, settings, 'as-norm'),
    ).toMatchObject({
      matchThreshold: 4,
      matchMargin: 0.7,
      noisyMatchThreshold: normalised.noisyMatchThreshold,
    });
    expect(resolveSpeakerPolicy('mira-speaker-v1', {}, settings, 'cosine')).toMatchObject({
      matchThreshold: 0.5,
      matchMargin: cosinePolicy.matchMargin,
    });
  });

  it('seconds, counts and the SNR line mean the same on every scale: env and top-level keys set them there too', () => {
    // a deployment that turned automatic samples off must not get them back on the cohort-normalised scale
    const env = { autoSamplesMax: 0, matchThreshold: 0.6, minMatchSpeechSeconds: 2.5 };
    const settings = {
      speaker_id: { noisy_snr_db: 8, new_person_min_speech_seconds: 4, match_margin: 0.02 },
    };
    const normalised = defaultPolicyFor('mira-speaker-v1', 'as-norm');
    expect(resolveSpeakerPolicy('mira-speaker-v1', env, settings, 'as-norm')).toEqual({
      ...normalised,
      autoSamplesMax: 0,
      minMatchSpeechSeconds: 2.5,
      noisySnrDb: 8,
      newPersonMinSpeechSeconds: 4,
    });
    // and a `normalised` section may still set them for that scale alone
    const own = { speaker_id: { noisy_snr_db: 8, normalised: { noisy_snr_db: 10 } } };
    expect(resolveSpeakerPolicy('mira-speaker-v1', {}, own, 'as-norm').noisySnrDb).toBe(10);
    expect(resolveSpeakerPolicy('mira-speaker-v1', {}, own, 'cosine').noisySnrDb).toBe(8);
  });

  it('noisy speech meets the clean voiceprint and the one heard in noise, and keeps the better score', () => {
    const normalised = defaultPolicyFor('mira-speaker-v1', 'as-norm');
    const cosinePolicy = defaultPolicyFor('mira-speaker-v1');
    const anna = { personId: 'anna', centroid: at(0), noisyCentroid: at(5), samples: 3 };
    const ben = { personId: 'ben', centroid: at(90), samples: 1 }; // enrolled without a noisy voiceprint
    const noisySnr = normalised.noisySnrDb - 1;
    // the clean voiceprint's scores are lowered by the gap between the clean and the noisy threshold
    expect(planIdentification(noisySnr, [anna, ben], 'as-norm', normalised)).toEqual({
      references: [anna.centroid, ben.centroid, anna.noisyCentroid, ben.centroid],
      offsets: [normalised.noisyMatchThreshold - normalised.matchThreshold, 0],
    });
    // clean, or an unknown SNR (an upload): the clean voiceprints only
    for (const snr of [30, null]) {
      expect(planIdentification(snr, [anna, ben], 'as-norm', normalised)).toEqual({
        references: [anna.centroid, ben.centroid],
        offsets: [0],
      });
    }
    // on cosine (no cohort) the clean voiceprint stays the only reference, at the cosine noisy threshold
    expect(planIdentification(noisySnr, [anna, ben], 'cosine', cosinePolicy)).toEqual({
      references: [anna.centroid, ben.centroid],
      offsets: [0],
    });
    // per person the better shifted score wins, with the cosine of the reference that gave it
    expect(
      bestScores({ scale: 'as-norm', scores: [1, 4.5, 3, 2], cosines: [0.1, 0.4, 0.3, 0.2] }, [-1, 0]),
    ).toEqual({ scale: 'as-norm', scores: [3, 3.5], cosines: [0.3, 0.4] });
    expect(() => bestScores({ scale: 'as-norm', scores: [1, 2, 3], cosines: [1, 2, 3] }, [0, 0])).toThrow(
      /do not split/,
    );
  });

  it('centroids average normalised samples; comparing different dimensions is refused', () => {
    const c = centroidOf([new Float32Array([2, 0, 0]), new Float32Array([0, 5, 0])]);
    expect(cosine(c, at(45))).toBeCloseTo(1, 6);
    expect(() => cosine(new Float32Array(3), new Float32Array(4))).toThrow(/dimensions/);
  });

  it('resolves settings: model defaults, then config, then the network, then the network per model', () => {
    const p = resolveSpeakerPolicy(
      'mira-speaker-v1',
      { matchMargin: 0.2 },
      {
        speaker_id: {
          match_threshold: 0.5,
          auto_samples_max: 2.7,
          min_match_speech_seconds: 'lots',
          noisy_match_threshold: 0.3,
          models: { 'mira-speaker-v1': { match_threshold: 0.55 }, other: { match_threshold: 0.1 } },
        },
      },
    );
    expect(p.matchMargin).toBe(0.2);
    expect(p.matchThreshold).toBe(0.55);
    expect(p.autoSamplesMax).toBe(2);
    expect(p.minMatchSpeechSeconds).toBe(1);
    expect(p.noisyMatchThreshold).toBe(0.3);
    expect(p.noisySnrDb).toBe(12);
    expect(resolveSpeakerPolicy('mfcc-stats-v1', {}, {}).matchThreshold).toBeGreaterThan(p.matchThreshold);
  });

  it("a calibrated model's probabilities come from the normalised sections, each strictly between 0 and 1", () => {
    const p = resolveSpeakerPolicy(
      'mira-speaker-v1',
      {},
      {
        speaker_id: {
          short_noisy_name_posterior: 0.5,
          normalised: { short_noisy_name_posterior: 0.9995, continuation_prior: 1 },
        },
      },
      'as-norm',
    );
    expect(p.calibrated?.shortNoisyNamePosterior).toBe(0.9995);
    expect(p.calibrated?.continuationPrior).toBe(
      defaultPolicyFor('mira-speaker-v1', 'as-norm').calibrated?.continuationPrior,
    );
  });
});

/** Voiceprints encrypted at rest. */
describe('voiceprint encryption (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const aad = { networkId: 'n1', modelId: 'm1' };
  const vector = new Float32Array([0.25, -0.5, 0.125, 1]);

  it('round-trips, and the stored bytes do not contain the float vector', () => {
    const cipher = new VoiceprintCipher(key);
    const blob = cipher.encrypt(vector, aad);
    expect(blob.includes(Buffer.from(vector.buffer))).toBe(false);
    expect(Array.from(cipher.decrypt(blob, aad))).toEqual(Array.from(vector));
  });

  it('refuses another key, another network or model label, and tampering', () => {
    const blob = new VoiceprintCipher(key).encrypt(vector, aad);
    expect(() => new VoiceprintCipher(randomBytes(32)).decrypt(blob, aad)).toThrow();
    expect(() => new VoiceprintCipher(key).decrypt(blob, { ...aad, networkId: 'n2' })).toThrow();
    expect(() => new VoiceprintCipher(key).decrypt(blob, { ...aad, modelId: 'm2' })).toThrow();
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => new VoiceprintCipher(key).decrypt(tampered, aad)).toThrow();
    expect(() => new VoiceprintCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
