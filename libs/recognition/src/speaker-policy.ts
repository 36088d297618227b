/**
 * Speaker identification policy: pure functions, no I/O. Lessons from omi and screenpipe (anchors §A1, §A4):
 * a cosine threshold AND a margin over the runner-up AND a minimum amount of speech before anything is decided;
 * never refine a voiceprint from a weak match; a duration floor before a voice may create a person.
 */

export interface SpeakerPolicy {
  /** Cosine similarity to a person's centroid needed for a match. */
  matchThreshold: number;
  /** The best person must beat the runner-up by this much. */
  matchMargin: number;
  /** Less VAD speech than this: never a match, never a new person (unknown). */
  minMatchSpeechSeconds: number;
  /** An unmatched voice becomes a new person only with at least this much speech … */
  newPersonMinSpeechSeconds: number;
  /** … and only when it is clearly unlike everyone: best similarity below threshold minus this gap. */
  newPersonSimilarityGap: number;
  /** A match refines the voiceprint only when its similarity reaches threshold plus this bonus. */
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
  samples: number;
}

export type SpeakerDecision =
  | {
      kind: 'match';
      personId: string;
      similarity: number;
      runnerUp: number | null;
      /** Whether this utterance may become an automatic voiceprint sample. */
      refine: boolean;
    }
  | {
      kind: 'new_person';
      bestSimilarity: number | null;
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
      /** The nearest person, as a suggestion only (never a label). */
      suggestedPersonId: string | null;
    };

export function l2normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`Embedding dimensions differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The per-person reference: the normalised average of its (normalised) samples. */
export function centroidOf(samples: Float32Array[]): Float32Array {
  if (samples.length === 0) throw new Error('No samples');
  const sum = new Float32Array(samples[0]!.length);
  for (const s of samples) {
    const n = l2normalize(s);
    for (let i = 0; i < sum.length; i++) sum[i]! += n[i]!;
  }
  return l2normalize(sum);
}

/** Decides who spoke. `allowNewPerson` is false when the caller cannot create persons (e.g. evaluation dry runs). */
export function identifySpeaker(
  input: { embedding: Float32Array; speechSeconds: number; snrDb?: number | null },
  persons: PersonCentroid[],
  policy: SpeakerPolicy,
): SpeakerDecision {
  const noisy = input.snrDb !== undefined && input.snrDb !== null && input.snrDb < policy.noisySnrDb;
  const threshold = noisy ? policy.noisyMatchThreshold : policy.matchThreshold;
  const ranked = persons
    .map((p) => ({ personId: p.personId, similarity: cosine(input.embedding, p.centroid) }))
    .sort((a, b) => b.similarity - a.similarity);
  const best = ranked[0];
  const runnerUp = ranked[1]?.similarity ?? null;
  const bestSimilarity = best ? round(best.similarity) : null;

  if (input.speechSeconds < policy.minMatchSpeechSeconds) {
    return {
      kind: 'unknown',
      reason: 'too_little_speech',
      bestSimilarity,
      suggestedPersonId: best?.personId ?? null,
    };
  }
  if (best && best.similarity >= threshold) {
    if (runnerUp !== null && best.similarity - runnerUp < policy.matchMargin) {
      return { kind: 'unknown', reason: 'ambiguous', bestSimilarity, suggestedPersonId: best.personId };
    }
    return {
      kind: 'match',
      personId: best.personId,
      similarity: round(best.similarity),
      runnerUp: runnerUp === null ? null : round(runnerUp),
      // noisy audio never feeds a voiceprint
      refine:
        !noisy &&
        policy.autoSamplesMax > 0 &&
        best.similarity >= policy.matchThreshold + policy.refineSimilarityBonus,
    };
  }
  const clearlyNew = !best || best.similarity < threshold - policy.newPersonSimilarityGap;
  if (clearlyNew && !noisy && input.speechSeconds >= policy.newPersonMinSpeechSeconds) {
    return { kind: 'new_person', bestSimilarity };
  }
  return {
    kind: 'unknown',
    reason: clearlyNew ? 'not_enough_evidence_for_new_person' : 'below_threshold',
    bestSimilarity,
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
export const MODEL_POLICY_DEFAULTS: { match: (modelId: string) => boolean; policy: SpeakerPolicy }[] = [
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
    // The trained speaker network (mira-speaker-v1, branch speaker-model). Calibrated the same way on 30
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

export function defaultPolicyFor(modelId: string): SpeakerPolicy {
  return { ...(MODEL_POLICY_DEFAULTS.find((d) => d.match(modelId))?.policy ?? GENERIC_POLICY) };
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
 * The effective policy: model defaults ← deployment config (env) ← network settings `speaker_id` (snake_case keys),
 * and ← `speaker_id.models[modelId]` for per-model overrides. Invalid values are ignored (never crash a job).
 */
export function resolveSpeakerPolicy(
  modelId: string,
  env: Partial<SpeakerPolicy>,
  networkSettings: Record<string, unknown>,
): SpeakerPolicy {
  const policy = defaultPolicyFor(modelId);
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'number') (policy as unknown as Record<string, number>)[key] = value;
  }
  const section = networkSettings.speaker_id;
  const apply = (obj: unknown) => {
    if (typeof obj !== 'object' || obj === null) return;
    for (const [setting, field] of Object.entries(SETTING_KEYS)) {
      const value = (obj as Record<string, unknown>)[setting];
      if (typeof value === 'number' && Number.isFinite(value) && value >= -1 && value <= 1000) {
        policy[field] = field === 'autoSamplesMax' ? Math.max(0, Math.floor(value)) : value;
      }
    }
  };
  apply(section);
  if (typeof section === 'object' && section !== null) {
    const models = (section as Record<string, unknown>).models;
    if (typeof models === 'object' && models !== null) apply((models as Record<string, unknown>)[modelId]);
  }
  return policy;
}
