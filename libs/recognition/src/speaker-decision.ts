/**
 * Who spoke, from all the evidence there is: the one decision the pipeline makes (IdentificationService) and the
 * evaluations measure (eval/), so that their figures are the product's. Pure: the caller embeds and supplies the
 * model's scoring.
 *
 * On a model with a calibration (speaker-calibration.ts) the answer is Bayesian: each person's score becomes a
 * log-likelihood ratio for the utterance's duration and noise, persons of older models (voiceprints not yet
 * re-enrolled) are weighed on the same footing, and a short segment that continues the turn of the person the same
 * device named a few seconds before starts from that person as the likelier speaker, when the segment's own evidence
 * already points to them (a stranger who speaks after an enrolled person must not inherit the name). Without a
 * calibration (the weak baseline, a model whose cohort is missing) the threshold rules of `identifySpeaker` apply to
 * the current model's persons alone.
 */
import { posteriors, scoreLlr } from './speaker-calibration.js';
import {
  bestScores,
  identifySpeaker,
  isNoisy,
  type PersonCentroid,
  type PersonScores,
  planIdentification,
  type SpeakerDecision,
  type SpeakerPolicy,
  type UnknownReason,
} from './speaker-policy.js';

/** One speaker model's view of the utterance: its embedding of it, the persons enrolled with it, its scoring. */
export interface ModelEvidence {
  modelId: string;
  embedding: Float32Array;
  persons: PersonCentroid[];
  /** The model's policy on the scale `scale` (resolveSpeakerPolicy). */
  policy: SpeakerPolicy;
  scale: string;
  /** Scores of a test embedding against references on `scale` (AudioPipeline.scoreVoices). */
  score(test: Float32Array, references: Float32Array[]): PersonScores;
}

/** The same device's preceding turn: who it named, and how long before this segment began it ended. */
export interface TurnContext {
  personId: string;
  gapSeconds: number;
}

export interface UtteranceFacts {
  speechSeconds: number;
  /** How noisy the utterance was as heard (noiseJudgementSnrDb), when known. */
  snrDb: number | null;
  context?: TurnContext | null;
}

export interface SpeakerJudgement {
  decision: SpeakerDecision;
  /** The model whose voiceprint gave a match (an older model's while a person awaits re-enrolment). */
  matchedModelId: string | null;
  /** The scale of the decision's scores. */
  scale: string;
  /** The preceding turn's speaker was favoured (context) in this decision. */
  contextUsed: boolean;
  /** P(nobody enrolled | evidence), with a calibration; null without. */
  unknownPosterior: number | null;
  /**
   * Unattributed speech that may be gathered with other speech of the same voice towards one new person: clean,
   * long enough, and clearly nobody enrolled (never an enrolled person's speech heard badly).
   */
  gatherable: boolean;
}

/** Decides who spoke. `models[0]` is the current speaker model; the others hold persons awaiting re-enrolment. */
export function judgeSpeaker(utterance: UtteranceFacts, models: ModelEvidence[]): SpeakerJudgement {
  const current = models[0];
  if (!current) throw new Error('judgeSpeaker needs the current model');
  if (!current.policy.calibrated) return judgeByThresholds(utterance, current);
  return judgeCalibrated(
    utterance,
    current,
    models.filter((m) => m.policy.calibrated),
  );
}

/**
 * Whether speech heard as one voice (a gathered group of utterances: their centroid and all their speech) is nobody
 * enrolled with the current model. On a calibrated policy with a `newVoiceMaxScore`: the centroid scores at most that
 * against every person's voiceprints, clean and heard in noise (an enrolled person's utterances joined carry more of
 * their voice than each one did, so they meet the voiceprint); otherwise it must be as clearly nobody as one utterance
 * must be to be kept for gathering (`gatherable`), judged as clean speech of all its length.
 */
export function isNewVoice(
  voice: { embedding: Float32Array; speechSeconds: number },
  current: ModelEvidence,
): boolean {
  const line = current.policy.gathering.newVoiceMaxScore;
  if (current.policy.calibrated && line !== undefined) {
    return bestEnrolledScore([{ ...current, embedding: voice.embedding }]) <= line;
  }
  return judgeSpeaker({ speechSeconds: voice.speechSeconds, snrDb: null }, [
    { ...current, embedding: voice.embedding },
  ]).gatherable;
}

/**
 * The highest score of the speech against any enrolled person of these models, against their clean voiceprint and the
 * one heard in noise alike: an enrolled person's speech through babble the SNR stage missed looks unlike their clean
 * voiceprint and nearer the one heard in noise, so only speech far from both is nobody enrolled. -Infinity with
 * nobody enrolled.
 */
export function bestEnrolledScore(models: ModelEvidence[]): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const model of models) {
    if (model.persons.length === 0) continue;
    const references = [
      ...model.persons.map((p) => p.centroid),
      ...model.persons.flatMap((p) => (p.noisyCentroid ? [p.noisyCentroid] : [])),
    ];
    for (const score of model.score(model.embedding, references).scores) best = Math.max(best, score);
  }
  return best;
}

function judgeByThresholds(utterance: UtteranceFacts, model: ModelEvidence): SpeakerJudgement {
  const { references, offsets } = planIdentification(
    utterance.snrDb,
    model.persons,
    model.scale,
    model.policy,
  );
  const scored = bestScores(model.score(model.embedding, references), offsets);
  const decision = identifySpeaker(
    { embedding: model.embedding, speechSeconds: utterance.speechSeconds, snrDb: utterance.snrDb },
    model.persons,
    model.policy,
    scored,
  );
  if (decision.kind !== 'new_person') {
    return {
      decision,
      matchedModelId: decision.kind === 'match' ? model.modelId : null,
      scale: scored.scale,
      contextUsed: false,
      unknownPosterior: null,
      gatherable: false,
    };
  }
  // a voice clearly unlike everyone is gathered, never made a person from one utterance
  return {
    decision: {
      kind: 'unknown',
      reason: 'gathering_new_voice',
      bestSimilarity: decision.bestSimilarity,
      bestScore: decision.bestScore,
      suggestedPersonId: null,
    },
    matchedModelId: null,
    scale: scored.scale,
    contextUsed: false,
    unknownPosterior: null,
    gatherable: true,
  };
}

interface Candidate {
  personId: string;
  gathered: boolean;
  model: ModelEvidence;
  score: number;
  similarity: number;
  llr: number;
}

function judgeCalibrated(
  utterance: UtteranceFacts,
  current: ModelEvidence,
  models: ModelEvidence[],
): SpeakerJudgement {
  const policy = current.policy;
  const rules = policy.calibrated!;
  const noisy = isNoisy(utterance.snrDb, policy);
  const candidates = candidatesOf(models, utterance.snrDb, utterance.speechSeconds, noisy);
  const llrs = candidates.map((c) => c.llr);
  const plain = posteriors(llrs, rules.unknownPrior);
  const ranked = candidates.map((c, i) => ({ ...c, i })).sort((a, b) => b.llr - a.llr);
  const best = ranked[0];
  const bestSimilarity = best ? round(best.similarity) : null;
  const bestScore = best ? round(best.score) : null;
  const base = { scale: current.scale, unknownPosterior: round(plain.unknown) };
  const gatherable =
    !noisy &&
    (utterance.snrDb === null || utterance.snrDb >= rules.gatherMinSnrDb) &&
    utterance.speechSeconds >= rules.gatherMinSpeechSeconds &&
    bestEnrolledScore(models) <= rules.gatherMaxScore;
  const unknown = (reason: UnknownReason, gather: boolean): SpeakerJudgement => ({
    ...base,
    decision: {
      kind: 'unknown',
      reason,
      bestSimilarity,
      bestScore,
      suggestedPersonId: best?.personId ?? null,
    },
    matchedModelId: null,
    contextUsed: false,
    gatherable: gather,
  });
  // context: only for a short segment right after the same device named someone who is here, and whose voice the
  // segment itself already favours (a prior without such evidence names strangers who merely follow a turn)
  const favouredIndex = continuedPerson(utterance, candidates, rules);
  // less speech than a name needs: only a continuation of the turn may be named, and only as the turn's speaker
  const belowNameMinimum = utterance.speechSeconds < policy.minMatchSpeechSeconds;
  if (belowNameMinimum && favouredIndex < 0) return unknown('too_little_speech', false);
  if (!best) return unknown(gatherable ? 'gathering_new_voice' : 'below_threshold', gatherable);
  const withContext =
    favouredIndex >= 0
      ? posteriors(llrs, rules.unknownPrior, { index: favouredIndex, prior: rules.continuationPrior })
      : plain;
  const top = ranked.reduce((a, b) => (withContext.persons[b.i]! > withContext.persons[a.i]! ? b : a));
  const posterior = withContext.persons[top.i]!;
  const namePosterior = !noisy
    ? rules.namePosterior
    : utterance.speechSeconds <= rules.shortSpeechSeconds
      ? Math.max(rules.noisyNamePosterior, rules.shortNoisyNamePosterior)
      : rules.noisyNamePosterior;
  const contextUsed = favouredIndex >= 0 && (belowNameMinimum || plain.persons[top.i]! < namePosterior);
  // within the winner's model, the nearest voiceprint by cosine must be the same person (the normalised ranking and
  // the raw one disagreeing is ambiguous evidence)
  const sameModel = candidates.filter((c) => c.model === top.model);
  const nearest = sameModel.reduce((a, b) => (b.similarity > a.similarity ? b : a));
  if (belowNameMinimum && top.i !== favouredIndex) return unknown('too_little_speech', false);
  if (posterior >= namePosterior && nearest.personId === top.personId) {
    const runnerUp = ranked.find((c) => c.i !== top.i);
    const growth = top.gathered
      ? {
          posterior: rules.gatheredRefinePosterior ?? rules.refinePosterior,
          minSpeechSeconds: rules.gatheredRefineMinSpeechSeconds ?? rules.refineMinSpeechSeconds,
        }
      : { posterior: rules.refinePosterior, minSpeechSeconds: rules.refineMinSpeechSeconds };
    return {
      ...base,
      decision: {
        kind: 'match',
        personId: top.personId,
        similarity: round(top.similarity),
        score: round(top.score),
        runnerUp: runnerUp ? round(runnerUp.score) : null,
        posterior: round(posterior),
        // only clean speech named on its own strong evidence (never by context), by the current model, feeds a
        // voiceprint; a gathered person's, a few short utterances, from a lower line than an enrolled person's
        refine:
          !noisy &&
          favouredIndex < 0 &&
          top.model === current &&
          policy.autoSamplesMax > 0 &&
          utterance.speechSeconds >= growth.minSpeechSeconds &&
          plain.persons[top.i]! >= growth.posterior,
        ...(top.gathered ? { gathered: true as const } : {}),
      },
      matchedModelId: top.model.modelId,
      contextUsed,
      gatherable: false,
    };
  }
  const second = ranked.find((c) => c.i !== top.i);
  const ambiguous =
    nearest.personId !== top.personId ||
    (second !== undefined && posterior + withContext.persons[second.i]! >= namePosterior);
  return {
    ...base,
    decision: {
      kind: 'unknown',
      reason: ambiguous ? 'ambiguous' : gatherable ? 'gathering_new_voice' : 'below_threshold',
      bestSimilarity,
      bestScore,
      suggestedPersonId: top.personId,
      posterior: round(posterior),
    },
    matchedModelId: null,
    contextUsed: false,
    gatherable,
  };
}

/**
 * The candidate a segment continues (index into `candidates`), or -1: a segment of continuation length that began soon
 * after the same device's turn named a person who is among the candidates, whose log-likelihood ratio on the segment
 * alone reaches the continuation's floor and is the highest of all.
 */
function continuedPerson(
  utterance: UtteranceFacts,
  candidates: Candidate[],
  rules: NonNullable<SpeakerPolicy['calibrated']>,
): number {
  const context = utterance.context;
  if (
    !context ||
    context.gapSeconds > rules.continuationMaxGapSeconds ||
    utterance.speechSeconds > rules.continuationMaxSpeechSeconds ||
    utterance.speechSeconds < rules.continuationMinSpeechSeconds
  ) {
    return -1;
  }
  const index = candidates.findIndex((c) => c.personId === context.personId);
  const favoured = candidates[index];
  if (!favoured || favoured.llr < rules.continuationMinLlr) return -1;
  return candidates.some((c) => c.llr > favoured.llr) ? -1 : index;
}

/**
 * Every person of every model with their score on the planned references (planIdentification for speech of this
 * SNR) and its log-likelihood ratio for speech of this length, clean or noisy (as the current policy's SNR rule calls
 * the speech).
 */
function candidatesOf(
  models: ModelEvidence[],
  snrDb: number | null,
  speechSeconds: number,
  noisy: boolean,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const model of models) {
    if (model.persons.length === 0) continue;
    const { references, offsets } = planIdentification(snrDb, model.persons, model.scale, model.policy);
    const scored = bestScores(model.score(model.embedding, references), offsets);
    model.persons.forEach((person, i) => {
      candidates.push({
        personId: person.personId,
        gathered: person.gathered === true,
        model,
        score: scored.scores[i]!,
        similarity: scored.cosines[i]!,
        llr: scoreLlr(model.policy.calibrated!.calibration, scored.scores[i]!, speechSeconds, noisy),
      });
    });
  }
  return candidates;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
