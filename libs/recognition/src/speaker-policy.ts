/**
 * Speaker identification policy: pure functions, no I/O. A threshold alone names strangers and mixes up similar
 * voices, so a decision needs a score over the threshold AND a margin over the runner-up AND a minimum amount of
 * speech; a voiceprint is never refined from a weak match (errors would feed on themselves); a voice needs a
 * duration floor before it may create a person.
 */

import { cosine } from '@mira/core';

/** Thresholds, margin and gaps are in the units of the scale the policy belongs to (cosine, or as-norm). */
export interface SpeakerPolicy {
  /** Score against a person's voiceprint needed for a match. */
  matchThreshold: number;
  /** The best person must beat the runner-up by this much. */
  matchMargin: number;
  /** Less VAD speech than this: never a match, never a new person (unknown). */
  minMatchSpeechSeconds: number;
  /** An unmatched voice becomes a new person only with at least this much speech … */
  newPersonMinSpeechSeconds: number;
  /** … and only when it is clearly unlike everyone: best score below threshold minus this gap. */
  newPersonSimilarityGap: number;
  /** A match refines the voiceprint only when its score reaches threshold plus this bonus. */
  refineSimilarityBonus: number;
  /** At most this many automatic samples per person (oldest replaced); 0 disables refinement. */
  autoSamplesMax: number;
  /**
   * An utterance whose audio SNR (AudioModule quality, dB) is below this is "noisy": noise pulls every similarity
   * down, the right person's as well as strangers', so it is matched against `noisyMatchThreshold` instead; it never
   * founds a new person (being unlike everyone is what noise looks like) and never becomes a voiceprint sample.
   */
  noisySnrDb: number;
  noisyMatchThreshold: number;
}

export interface PersonCentroid {
  personId: string;
  /** L2-normalised mean of the person's samples for this model. */
  centroid: Float32Array;
  /** The same for the person's samples heard through noise and the denoiser, when any were enrolled. */
  noisyCentroid?: Float32Array;
  samples: number;
}

/**
 * Scores of one test embedding against each person (aligned with the persons list): `scores` on the scale the policy's
 * thresholds are in (a model's cohort-normalised scale, or cosine), `cosines` for display. Without it: cosine.
 */
export interface PersonScores {
  scale: string;
  scores: number[];
  cosines: number[];
}

export type SpeakerDecision =
  | {
      kind: 'match';
      personId: string;
      /** Cosine similarity to the person's centroid (for display). */
      similarity: number;
      /** The score the thresholds were applied to (on the scale of the scores given, see Identification.scale). */
      score: number;
      /** Runner-up's score (same scale). */
      runnerUp: number | null;
      /** Whether this utterance may become an automatic voiceprint sample. */
      refine: boolean;
    }
  | {
      kind: 'new_person';
      bestSimilarity: number | null;
      bestScore: number | null;
    }
  | {
      kind: 'unknown';
      reason:
        | 'too_little_speech'
        | 'below_threshold'
        | 'ambiguous'
        | 'not_enough_evidence_for_new_person'
        | 'no_speaker_model';
      bestSimilarity: number | null;
      bestScore: number | null;
      /** The nearest person, as a suggestion only (never a label). */
      suggestedPersonId: string | null;
    };

/**
 * Decides who spoke. `scored`: the persons' scores on the policy's scale (the speaker model's cohort normalisation);
 * when absent, cosine to each centroid. Thresholds, margin and gaps are all in the units of that scale. A match also
 * needs the best-scoring person to be the nearest by cosine.
 */
export function identifySpeaker(
  input: { embedding: Float32Array; speechSeconds: number; snrDb?: number | null },
  persons: PersonCentroid[],
  policy: SpeakerPolicy,
  scored?: PersonScores,
): SpeakerDecision {
  const noisy = isNoisy(input.snrDb, policy);
  const threshold = noisy ? policy.noisyMatchThreshold : policy.matchThreshold;
  const cosines = scored?.cosines ?? persons.map((p) => cosine(input.embedding, p.centroid));
  const scores = scored?.scores ?? cosines;
  if (scores.length !== persons.length || cosines.length !== persons.length) {
    throw new Error(`${scores.length} scores for ${persons.length} persons`);
  }
  const ranked = persons
    .map((p, i) => ({ personId: p.personId, score: scores[i]!, similarity: cosines[i]! }))
    .sort((a, b) => b.score - a.score);
  const best = ranked[0];
  const runnerUp = ranked[1]?.score ?? null;
  const bestSimilarity = best ? round(best.similarity) : null;
  const bestScore = best ? round(best.score) : null;

  if (input.speechSeconds < policy.minMatchSpeechSeconds) {
    return {
      kind: 'unknown',
      reason: 'too_little_speech',
      bestSimilarity,
      bestScore,
      suggestedPersonId: best?.personId ?? null,
    };
  }
  if (best && best.score >= threshold) {
    // On a normalised scale, the nearest centroid by cosine must be the same person: when the two disagree, the
    // evidence is ambiguous (measured: either ranking alone names the wrong person where the other does not).
    const nearestByCosine = ranked.reduce((a, b) => (b.similarity > a.similarity ? b : a));
    const disagree = nearestByCosine.personId !== best.personId;
    if (disagree || (runnerUp !== null && best.score - runnerUp < policy.matchMargin)) {
      return {
        kind: 'unknown',
        reason: 'ambiguous',
        bestSimilarity,
        bestScore,
        suggestedPersonId: best.personId,
      };
    }
    return {
      kind: 'match',
      personId: best.personId,
      similarity: round(best.similarity),
      score: round(best.score),
      runnerUp: runnerUp === null ? null : round(runnerUp),
      // noisy audio never feeds a voiceprint
      refine:
        !noisy &&
        policy.autoSamplesMax > 0 &&
        best.score >= policy.matchThreshold + policy.refineSimilarityBonus,
    };
  }
  const clearlyNew = !best || best.score < threshold - policy.newPersonSimilarityGap;
  if (clearlyNew && !noisy && input.speechSeconds >= policy.newPersonMinSpeechSeconds) {
    return { kind: 'new_person', bestSimilarity, bestScore };
  }
  return {
    kind: 'unknown',
    reason: clearlyNew ? 'not_enough_evidence_for_new_person' : 'below_threshold',
    bestSimilarity,
    bestScore,
    suggestedPersonId: best?.personId ?? null,
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

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
  if (scale === 'cosine') return { ...(defaults?.policy ?? GENERIC_POLICY) };
  return { ...(defaults?.normalised ?? GENERIC_NORMALISED_POLICY) };
}

const SETTING_KEYS: Record<string, keyof SpeakerPolicy> = {
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

/**
 * Which references of each person an utterance is scored against (shared by SpeakerIdentificationService.identify
 * and the evaluation), given the policy of the model's scale: blocks of references aligned with `persons`, each with
 * an offset added to its scores; a person's score is the best over the blocks (`bestScores`). On a
 * cohort-normalised scale, noisy speech meets each person's voiceprint heard in noise (multi-condition enrolment) and
 * their clean voiceprint: truly noisy speech is nearer the former, while a clean recording that merely measures noisy
 * keeps its clean match. The clean voiceprint's scores are lowered by the gap between the clean and the noisy
 * threshold, so a match on it must still clear the clean threshold. On cosine only the clean voiceprint is used: the
 * cosine noisy threshold was calibrated against it, and cosines against noisy voiceprints run higher for everyone
 * (dev split: impostor p99 0.59).
 */
export function planIdentification(
  snrDb: number | null | undefined,
  persons: PersonCentroid[],
  scale: string,
  policy: SpeakerPolicy,
): { references: Float32Array[]; offsets: number[] } {
  const clean = persons.map((p) => p.centroid);
  if (!isNoisy(snrDb, policy) || scale === 'cosine' || !persons.some((p) => p.noisyCentroid)) {
    return { references: clean, offsets: [0] };
  }
  return {
    references: [...clean, ...persons.map((p) => p.noisyCentroid ?? p.centroid)],
    offsets: [policy.noisyMatchThreshold - policy.matchThreshold, 0],
  };
}

/**
 * Folds the scores of planned references (one block of persons per offset, as `planIdentification` lists them) into
 * one score per person: the best over the blocks, each shifted by its offset, with the cosine of the reference that
 * gave it.
 */
export function bestScores(scored: PersonScores, offsets: number[]): PersonScores {
  const persons = scored.scores.length / offsets.length;
  if (!Number.isInteger(persons) || scored.cosines.length !== scored.scores.length) {
    throw new Error(`${scored.scores.length} scores do not split into ${offsets.length} blocks`);
  }
  const best = { scale: scored.scale, scores: [] as number[], cosines: [] as number[] };
  for (let p = 0; p < persons; p++) {
    offsets.forEach((offset, block) => {
      const k = block * persons + p;
      const score = scored.scores[k]! + offset;
      if (block === 0 || score > best.scores[p]!) {
        best.scores[p] = score;
        best.cosines[p] = scored.cosines[k]!;
      }
    });
  }
  return best;
}

/** Noisy speech: its measured SNR is below the policy's `noisySnrDb` (an unknown SNR is not called noisy). */
export function isNoisy(snrDb: number | null | undefined, policy: SpeakerPolicy): boolean {
  return snrDb !== undefined && snrDb !== null && snrDb < policy.noisySnrDb;
}

/** Fields in the units of a score scale; the others (seconds, counts, dB) mean the same on every scale. */
const SCORE_UNIT_FIELDS: ReadonlySet<keyof SpeakerPolicy> = new Set<keyof SpeakerPolicy>([
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
 * the SNR line apply to both. Invalid values are ignored (never crash a job).
 */
export function resolveSpeakerPolicy(
  modelId: string,
  env: Partial<SpeakerPolicy>,
  networkSettings: Record<string, unknown>,
  scale = 'cosine',
): SpeakerPolicy {
  const policy = defaultPolicyFor(modelId, scale);
  const onCosine = scale === 'cosine';
  // what a cosine-scale source (env, top-level keys) may set on this scale
  const fromCosine = (field: keyof SpeakerPolicy) => onCosine || !SCORE_UNIT_FIELDS.has(field);
  for (const [key, value] of Object.entries(env) as Array<[keyof SpeakerPolicy, unknown]>) {
    if (typeof value === 'number' && fromCosine(key)) policy[key] = value;
  }
  const sub = (obj: unknown, key: string): unknown =>
    typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
  const apply = (obj: unknown, allowed: (field: keyof SpeakerPolicy) => boolean) => {
    if (typeof obj !== 'object' || obj === null) return;
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
  const any = () => true;
  apply(section, fromCosine);
  if (!onCosine) apply(sub(section, 'normalised'), any);
  apply(forModel, fromCosine);
  if (!onCosine) apply(sub(forModel, 'normalised'), any);
  return policy;
}
