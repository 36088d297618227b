/**
 * Speaker identification policy: pure functions, no I/O. A threshold alone names strangers and mixes up similar
 * voices, so a decision needs a score over the threshold AND a margin over the runner-up AND a minimum amount of
 * speech; a voiceprint is never refined from a weak match (errors would feed on themselves); a voice needs a
 * duration floor before it may create a person.
 */

import { cosine } from '@mira/core';
import type { ScoreCalibration } from './speaker-calibration.js';

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
  /**
   * Decisions from calibrated evidence (judgeSpeaker) instead of the thresholds above: present for a model whose
   * scores were calibrated on its dev split, on that calibration's scale.
   */
  calibrated?: CalibratedRules;
  /** Unknown voices are gathered, never made a person from one utterance. */
  gathering: GatheringRules;
}

/** The rules of a calibrated decision (probabilities are posteriors, speaker-calibration.ts). */
export interface CalibratedRules {
  calibration: ScoreCalibration;
  /** Prior probability that an utterance is by nobody enrolled. */
  unknownPrior: number;
  /** A person is named when their posterior reaches this … */
  namePosterior: number;
  /** … or this, for speech the SNR rule calls noisy (its calibration pools kinds of noise, so it is looser there). */
  noisyNamePosterior: number;
  /** A match feeds the voiceprint only with this posterior on its own evidence (no context) … */
  refinePosterior: number;
  /** … and this much clean speech. */
  refineMinSpeechSeconds: number;
  /**
   * A gathered person's voiceprint (a few short utterances, no enrolment) grows from a name with this posterior on
   * its own evidence … (without it: `refinePosterior`)
   */
  gatheredRefinePosterior?: number;
  /** … and this much clean speech (without it: `refineMinSpeechSeconds`). */
  gatheredRefineMinSpeechSeconds?: number;
  /** Context: prior that a short segment continues the turn of the person the same device named just before … */
  continuationPrior: number;
  /** … when it began at most this long after that turn ended … */
  continuationMaxGapSeconds: number;
  /** … and is at most this long (longer speech carries its own evidence) … */
  continuationMaxSpeechSeconds: number;
  /**
   * … and at least this long: a continuation may hold less speech than a name otherwise needs
   * (`minMatchSpeechSeconds`), and is then named only as the turn's speaker, never anybody else.
   */
  continuationMinSpeechSeconds: number;
  /**
   * … and only when the segment's own evidence already points to the turn's person: their log-likelihood ratio on
   * the segment alone reaches this, and no other person's is higher. The prior alone would name a stranger whose
   * short segment scores mildly like the person who spoke before.
   */
  continuationMinLlr: number;
  /** Speech of at most this many seconds named on its own evidence (no context) … */
  shortSpeechSeconds: number;
  /** … needs this posterior when the SNR rule calls it noisy (short noisy speech is where strangers pass). */
  shortNoisyNamePosterior: number;
  /** Unattributed speech of at least this length … */
  gatherMinSpeechSeconds: number;
  /**
   * … heard at least this clearly (SNR in dB, when measured: babble the SNR stage lets through as clean sits between
   * the noisy line and about 20 dB, and an enrolled person's voice through it looks like nobody's) …
   */
  gatherMinSnrDb: number;
  /**
   * … scoring at most this against every enrolled person, against their clean voiceprint and the one heard in noise
   * alike, is kept to be gathered with more speech of the same voice: below where enrolled speakers' own clean speech
   * falls. (One utterance's P(nobody enrolled) is no use here: a weak model's evidence against each person is too
   * mild for it to be high for anybody.)
   */
  gatherMaxScore: number;
}

/** How unattributed speech of one voice becomes one new person (voice-gathering.ts). */
export interface GatheringRules {
  /** Two unattributed utterances are one voice when their score (on the policy's scale) reaches this. */
  sameVoiceScore: number;
  /** A new person is made of at least this many utterances of one voice … */
  minUtterances: number;
  /** … holding at least this much speech. */
  minTotalSeconds: number;
  /** Unattributed speech older than this is forgotten. */
  keepDays: number;
  /**
   * On a calibrated policy: the gathered voice (the centroid of its utterances) must score at most this against every
   * enrolled person's voiceprints, clean and heard in noise, before it becomes a person. Without it, the voice is
   * judged like one utterance of all its speech (the threshold rules' "clearly unlike everyone").
   */
  newVoiceMaxScore?: number;
  /**
   * A gathered person (no enrolment sample of the model) keeps up to this many automatic samples in their voiceprint:
   * the utterances they were gathered from and those confidently named since, newest first (voiceprint-growth.ts).
   * Without it, as many as an enrolled person's automatic samples (`autoSamplesMax`).
   */
  voiceprintMaxSamples?: number;
}

export type UnknownReason =
  | 'too_little_speech'
  | 'below_threshold'
  | 'ambiguous'
  | 'not_enough_evidence_for_new_person'
  | 'gathering_new_voice'
  | 'no_speaker_model';

export interface PersonCentroid {
  personId: string;
  /** L2-normalised mean of the person's samples for this model. */
  centroid: Float32Array;
  /** The same for the person's samples heard through noise and the denoiser, when any were enrolled. */
  noisyCentroid?: Float32Array;
  samples: number;
  /**
   * Known only from gathered speech: no enrolment sample of this model (a person made by voice gathering), so their
   * voiceprint is the utterances gathered and those confidently named since (voiceprint-growth.ts).
   */
  gathered?: boolean;
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
      /** The person is known from gathered speech only (no enrolment sample of the model that matched). */
      gathered?: true;
      /** P(this person | evidence), on a calibrated model. */
      posterior?: number;
    }
  | {
      kind: 'new_person';
      bestSimilarity: number | null;
      bestScore: number | null;
    }
  | {
      kind: 'unknown';
      reason: UnknownReason;
      bestSimilarity: number | null;
      bestScore: number | null;
      /** The nearest person, as a suggestion only (never a label). */
      suggestedPersonId: string | null;
      /** The likeliest person's posterior, on a calibrated model. */
      posterior?: number;
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
    .map((p, i) => ({
      personId: p.personId,
      gathered: p.gathered === true,
      score: scores[i]!,
      similarity: cosines[i]!,
    }))
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
      ...(best.gathered ? { gathered: true as const } : {}),
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
 * Which references of each person an utterance is scored against (judgeSpeaker, which the identification service
 * and the evaluations call), given the policy of the model's scale: blocks of references aligned with `persons`, each
 * with an offset added to its scores; a person's score is the best over the blocks (`bestScores`). On a
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
