/**
 * Built-in speaker policies per model and scale, and the effective policy of a network (model defaults ← deployment
 * config ← network settings).
 */
import type { CalibratedRules, SpeakerPolicy } from './speaker-policy.js';
/**
 * mira-speaker-v1's decisions from calibrated evidence (`npm run eval:speakers:calibrate`, BENCHMARKS.md "Speaker
 * policy calibration (dev split)": 83 dev persons, 23 LibriSpeech of which half narrowband and 60 speechocean762,
 * 3,248 embeddable test clips of 1-8 s in five conditions; never an evaluation speaker). The prior of "nobody
 * enrolled" and the two name posteriors were chosen together: of the grid (priors 0.5 / 0.3 / 0.2, posteriors 0.98 /
 * 0.99 / 0.995, in noise 0.99 / 0.995 / 0.999), the setting that names the most dev clips (clean, pink and babble at
 * 5 dB, 5 and 10 persons enrolled) while wrong names stay at or under 0.2 % in every condition with 5, 10, 30 or 83
 * persons enrolled, strangers (the speaker not enrolled) included. Prior 0.2, posterior 0.99, in noise 0.995: no
 * wrong name in any row, strangers named 0.18 % at most (5 persons), clean speech named 59.1 % with 5 persons (prior
 * 0.5 at 0.99 in both: 51.5 %, with 0.15 % of pink-noise clips named wrongly). The noisy calibration pools pink and
 * babble, so it is over-confident in pink noise: 0.99 there names 0.31 % of pink clips wrongly with 5 persons.
 * Context (section 5): a short segment (≤ 2.5 s of speech) after the same device's named turn starts from that
 * person with prior 0.8 only when its own log-likelihood ratio for them reaches 5 and nobody else's is higher; short
 * noisy speech (≤ 2.5 s) is named at posterior 0.999. Without the floor, a stranger's short segment after an
 * enrolled person's turn was named as that person for 0.93 % of (segment, turn) pairs with 5 persons enrolled; with
 * floor 5 and 0.999 for short noisy speech 0.16 % (5 persons) and at most 0.10 % with 10, 30 or 83, and strangers'
 * short segments without context 0.13 % (0.19 % at 0.995). What it costs: continuations named right 83.7 → 56.4 %
 * with 5 persons (floor 4.5 names 61.8 % but strangers 0.21 %; no context 33.0 %). The gap (5 s) and segment
 * length (2.5 s) of a continuation are choices, not measured. Gathering keeps speech heard at ≥ 20 dB SNR that scores ≤ 3.0 against every enrolled
 * person (clean and heard-in-noise voiceprints): one utterance's P(nobody enrolled) never reached 0.9 for anybody
 * (no stranger was ever gathered); the SNR line leaves out babble the SNR stage calls clean, the source of most new
 * persons made of enrolled speakers' speech (see the gathering rules of the normalised policy). A gathered person's
 * voiceprint grows from names at posterior ≥ 0.999 on their own evidence with ≥ 1.5 s of speech, up to 10 utterances
 * (section 4, "Growing a gathered person's voiceprint": the dev speakers as strangers saying all their utterances are
 * named afterwards 72.0 % of the time instead of 65.9 % at the enrolled line of 0.9999; 0.99 names 78.0 % but grew 13
 * other strangers' utterances into voiceprints); an enrolled person's stays at 0.9999 / 2 s / 5.
 */
const MIRA_SPEAKER_V1_CALIBRATED: CalibratedRules = {
  calibration: {
    scale: 'as-norm',
    clean: { a: -2.322, b: 1.7718, c: 0.3245, d: -1.3388 },
    noisy: { a: -2.0918, b: 1.9843, c: 0.2168, d: -1.3239 },
    minSeconds: 1,
    maxSeconds: 8,
  },
  unknownPrior: 0.2,
  namePosterior: 0.99,
  noisyNamePosterior: 0.995,
  refinePosterior: 0.9999,
  refineMinSpeechSeconds: 2,
  gatheredRefinePosterior: 0.9999,
  gatheredRefineMinSpeechSeconds: 1.5,
  continuationPrior: 0.8,
  continuationMaxGapSeconds: 5,
  continuationMaxSpeechSeconds: 2.5,
  continuationMinSpeechSeconds: 0.5,
  continuationMinLlr: 5,
  shortSpeechSeconds: 2.5,
  shortNoisyNamePosterior: 0.999,
  gatherMinSpeechSeconds: 1.5,
  gatherMinSnrDb: 20,
  gatherMaxScore: 3.0,
};

/**
 * Built-in defaults per speaker model. Cosine scales differ between models, so thresholds belong to the model
 * that made the embeddings; unknown models get the generic row. Figures come from BENCHMARKS.md measurements.
 */
export const MODEL_POLICY_DEFAULTS: {
  match: (modelId: string) => boolean;
  /** On cosine scores (the model without its cohort). */
  policy: SpeakerPolicy;
  /** On the model's cohort-normalised scores (AudioModule score normalisation, scale `as-norm`). */
  normalised?: SpeakerPolicy;
}[] = [
  {
    // The weak MFCC-statistics baseline (mira-mfcc-baseline-v1). Calibrated with `npm run eval:speakers:calibrate`
    // on 40 train-clean-100 speakers (half-utterance pairs, not the dev speakers of the evaluation): target median
    // 0.84, non-target median 0.30 / p95 0.69 / p99 0.79; at 0.72 about 25% of same-speaker pairs are missed and 3%
    // of different-speaker pairs pass, so the margin and the "clearly unlike everyone" gap carry a lot of weight.
    match: (id) => /mfcc/i.test(id),
    policy: {
      matchThreshold: 0.72,
      matchMargin: 0.05,
      minMatchSpeechSeconds: 1.0,
      newPersonMinSpeechSeconds: 2.0,
      newPersonSimilarityGap: 0.22,
      refineSimilarityBonus: 0.1,
      autoSamplesMax: 5,
      // not calibrated under noise: the same threshold, and no new person from noisy audio
      noisySnrDb: 12,
      noisyMatchThreshold: 0.72,
      gathering: { sameVoiceScore: 0.85, minUtterances: 3, minTotalSeconds: 6, keepDays: 30 },
    },
  },
  {
    // The trained speaker network (mira-speaker-v1, training/speaker/). Calibrated the same way on 30
    // train-clean-100 speakers held out of its training: target median 0.66 / p25 0.52, non-target median 0.07 /
    // p99 0.38 / max 0.47; at 0.45 about 17% of same-speaker half-utterance pairs are missed and 0.2% of
    // different-speaker pairs pass. Under 5 dB white / pink / babble noise (after GTCRN; npm run
    // eval:speakers:calibrate on the same dev split, 3-part clean enrolment) 0.45 misses 33-79% of the right
    // person; 0.35 misses 17% while 0.9-1.3% of other speakers pass (clean audio at 0.45: 0.9%).
    match: (id) => id === 'mira-speaker-v1',
    policy: {
      matchThreshold: 0.45,
      matchMargin: 0.08,
      minMatchSpeechSeconds: 1.0,
      newPersonMinSpeechSeconds: 2.0,
      newPersonSimilarityGap: 0.15,
      refineSimilarityBonus: 0.1,
      autoSamplesMax: 5,
      noisySnrDb: 12,
      noisyMatchThreshold: 0.35,
      gathering: { sameVoiceScore: 0.5, minUtterances: 3, minTotalSeconds: 6, keepDays: 30 },
    },
    // With its cohort (AS-norm, the default). `npm run eval:speakers:calibrate` on the same dev split, half of the
    // speakers narrowband (through a telephone band), 48 tests of 2.5-3.5 s × 23 impostors per condition.
    // Clean: target p10 2.8 / median 4.9, impostor p99 2.5 / max 3.7. At 3.0 14.6 % of the right person is missed
    // and 0.5 % of impostor pairs pass (cosine on the same trials: EER 10.9 %, because two narrowband voices look
    // alike). No target fell below 1.5 (the new-person line), no impostor reached 4.5 (the refine line).
    // Noisy (5 dB white / pink / babble, planIdentification's references, voiceprints heard in white, pink and
    // babble noise): at 2.0, 2 of 3,266 impostor pairs passed (neither with the margin) and 43 % of the right person
    // was missed (1.5: 0.7 % / 25 %); babble is the hard case (target median 1.65 against 2.5 for white and pink).
    normalised: {
      matchThreshold: 3.0,
      matchMargin: 0.5,
      minMatchSpeechSeconds: 1.0,
      newPersonMinSpeechSeconds: 2.0,
      newPersonSimilarityGap: 1.5,
      refineSimilarityBonus: 1.5,
      autoSamplesMax: 5,
      noisySnrDb: 12,
      noisyMatchThreshold: 2.0,
      // Gathering (dev split, section 4): utterances kept at ≤ 3.0 against everyone and heard at ≥ 20 dB, linked at
      // 3, becoming a person from 3 utterances and 6 s when their centroid scores ≤ 2.0 against everyone: 16 of 55
      // strangers became exactly one person (5 persons enrolled; none several), no enrolled speaker's own speech
      // became a person (0 of 83). The centroid line is the edge: at 2.25 eight enrolled speakers' telephone-band or
      // babble speech did.
      gathering: {
        sameVoiceScore: 3.0,
        minUtterances: 3,
        minTotalSeconds: 6,
        keepDays: 30,
        newVoiceMaxScore: 2.0,
        voiceprintMaxSamples: 10,
      },
      calibrated: MIRA_SPEAKER_V1_CALIBRATED,
    },
  },
];

/** Any other model (e.g. a trained network): conservative cosine defaults until measured for that model. */
export const GENERIC_POLICY: SpeakerPolicy = {
  matchThreshold: 0.6,
  matchMargin: 0.08,
  minMatchSpeechSeconds: 1.0,
  newPersonMinSpeechSeconds: 2.0,
  newPersonSimilarityGap: 0.15,
  refineSimilarityBonus: 0.1,
  autoSamplesMax: 5,
  noisySnrDb: 12,
  noisyMatchThreshold: 0.6,
  gathering: { sameVoiceScore: 0.7, minUtterances: 3, minTotalSeconds: 6, keepDays: 30 },
};

/** Any model on a cohort-normalised scale that has not been calibrated: scores are z-like, so these are generic. */
export const GENERIC_NORMALISED_POLICY: SpeakerPolicy = {
  ...GENERIC_POLICY,
  matchThreshold: 3.5,
  matchMargin: 1.0,
  newPersonSimilarityGap: 1.5,
  refineSimilarityBonus: 1.0,
  noisyMatchThreshold: 3.5,
};

/** Built-in policy of a model on a scale (`cosine`, or the scale of the model's score normalisation). */
export function defaultPolicyFor(modelId: string, scale = 'cosine'): SpeakerPolicy {
  const defaults = MODEL_POLICY_DEFAULTS.find((d) => d.match(modelId));
  const chosen =
    scale === 'cosine'
      ? (defaults?.policy ?? GENERIC_POLICY)
      : (defaults?.normalised ?? GENERIC_NORMALISED_POLICY);
  const policy = { ...chosen, gathering: { ...chosen.gathering } };
  // a calibration belongs to one scale; the copy keeps network overrides out of the built-in defaults
  if (policy.calibrated) {
    if (policy.calibrated.calibration.scale !== scale) delete policy.calibrated;
    else policy.calibrated = { ...policy.calibrated };
  }
  return policy;
}

/** The numeric fields of the threshold rules (network settings and env may set them). */
type ThresholdField = Exclude<keyof SpeakerPolicy, 'calibrated' | 'gathering'>;

const SETTING_KEYS: Record<string, ThresholdField> = {
  match_threshold: 'matchThreshold',
  match_margin: 'matchMargin',
  min_match_speech_seconds: 'minMatchSpeechSeconds',
  new_person_min_speech_seconds: 'newPersonMinSpeechSeconds',
  new_person_similarity_gap: 'newPersonSimilarityGap',
  refine_similarity_bonus: 'refineSimilarityBonus',
  auto_samples_max: 'autoSamplesMax',
  noisy_snr_db: 'noisySnrDb',
  noisy_match_threshold: 'noisyMatchThreshold',
};

/** Probabilities of a calibrated decision a network may set (in its `normalised` sections), each in (0, 1). */
const CALIBRATED_SETTING_KEYS: Record<string, keyof CalibratedRules> = {
  name_posterior: 'namePosterior',
  noisy_name_posterior: 'noisyNamePosterior',
  unknown_prior: 'unknownPrior',
  continuation_prior: 'continuationPrior',
  short_noisy_name_posterior: 'shortNoisyNamePosterior',
};

/** Fields in the units of a score scale; the others (seconds, counts, dB) mean the same on every scale. */
const SCORE_UNIT_FIELDS: ReadonlySet<ThresholdField> = new Set<ThresholdField>([
  'matchThreshold',
  'matchMargin',
  'newPersonSimilarityGap',
  'refineSimilarityBonus',
  'noisyMatchThreshold',
]);

/**
 * The effective policy on a scale: model defaults ← deployment config (env) ← network settings `speaker_id`
 * (snake_case keys) ← `speaker_id.normalised` ← `speaker_id.models[modelId]` ← `….models[modelId].normalised`.
 * Score-unit fields (thresholds, margin, gaps) from env and the top-level keys are cosines, so they apply to the
 * cosine scale only, and the `normalised` sections to a normalised scale (e.g. `as-norm`) only. Seconds, counts and
 * the SNR line apply to both. A calibrated model's probabilities (`name_posterior`, `noisy_name_posterior`,
 * `unknown_prior`, `continuation_prior`) are read from the `normalised` sections. Invalid values are ignored (never
 * crash a job).
 */
export function resolveSpeakerPolicy(
  modelId: string,
  env: Partial<Record<ThresholdField, number>>,
  networkSettings: Record<string, unknown>,
  scale = 'cosine',
): SpeakerPolicy {
  const policy = defaultPolicyFor(modelId, scale);
  const onCosine = scale === 'cosine';
  // what a cosine-scale source (env, top-level keys) may set on this scale
  const fromCosine = (field: ThresholdField) => onCosine || !SCORE_UNIT_FIELDS.has(field);
  for (const [key, value] of Object.entries(env) as Array<[ThresholdField, unknown]>) {
    if (typeof value === 'number' && fromCosine(key)) policy[key] = value;
  }
  const any = () => true;
  const sub = (obj: unknown, key: string): unknown =>
    typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
  const apply = (obj: unknown, allowed: (field: ThresholdField) => boolean) => {
    if (typeof obj !== 'object' || obj === null) return;
    if (allowed === any && policy.calibrated) {
      for (const [setting, field] of Object.entries(CALIBRATED_SETTING_KEYS)) {
        const value = (obj as Record<string, unknown>)[setting];
        if (typeof value === 'number' && value > 0 && value < 1) {
          (policy.calibrated as unknown as Record<string, number>)[field] = value;
        }
      }
    }
    for (const [setting, field] of Object.entries(SETTING_KEYS)) {
      const value = (obj as Record<string, unknown>)[setting];
      if (
        allowed(field) &&
        typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= -1 &&
        value <= 1000
      ) {
        policy[field] = field === 'autoSamplesMax' ? Math.max(0, Math.floor(value)) : value;
      }
    }
  };
  const section = networkSettings.speaker_id;
  const forModel = sub(sub(section, 'models'), modelId);
  apply(section, fromCosine);
  if (!onCosine) apply(sub(section, 'normalised'), any);
  apply(forModel, fromCosine);
  if (!onCosine) apply(sub(forModel, 'normalised'), any);
  return policy;
}
