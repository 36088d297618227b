/** What an utterance's interactions record about who spoke in them, and where in the chunk. */
import type { Interaction } from '@mira/interaction';
import { type Identification, isNoisy } from '@mira/recognition';

/**
 * One turn of a chunk heard as several voices, as the plan kept on its first interaction (`metadata.pipeline.turns`)
 * says it: a run that stopped between two turns records the rest exactly so.
 */
export interface PlannedTurn {
  /** Seconds from the chunk's start. */
  start: number;
  end: number;
  speaker_label: string;
  person_id: string | null;
  decision: string;
  confidence: number | null;
}

/** The stretch of a chunk an interaction was heard in (`metadata.audio.turn`); undefined for a whole chunk. */
export interface ChunkTurnOfInteraction {
  start: number;
  end: number;
  speaker_label: string;
}

export function isDone(row: Interaction): boolean {
  return row.processingStatus === 'done';
}

/** The turns planned for the chunk from its first interaction (empty when the chunk is one voice). */
export function plannedTurns(first: Interaction): PlannedTurn[] {
  const turns = pipelineOf(first)['turns'];
  return Array.isArray(turns) ? (turns as PlannedTurn[]) : [];
}

/** Whether every interaction the chunk is to have exists (one, or one per planned turn). */
export function allRecorded(rows: Interaction[]): boolean {
  return rows.length > 0 && rows.length >= plannedTurns(rows[0]!).length;
}

export function turnOf(row: Interaction): ChunkTurnOfInteraction | undefined {
  const audio = row.metadata?.['audio'] as { turn?: ChunkTurnOfInteraction } | undefined;
  return audio?.turn;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function pipelineOf(row: Interaction): Record<string, unknown> {
  const p = row.metadata?.pipeline;
  return typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
}

/** What the interaction records about the speaker decision (never the embedding). */
export function speakerMetadata(identification: Identification, snrDb: number): Record<string, unknown> {
  const d = identification.decision;
  return {
    decision: d.kind,
    // how noisy the utterance was as heard (the lower of the VAD-floor and the blind SNR), and whether the policy
    // therefore judged it as speech in noise: "why was I not recognised?" starts here
    heard_snr_db: Math.round(snrDb * 10) / 10,
    noisy_speech: identification.policy ? isNoisy(snrDb, identification.policy) : null,
    ...(d.kind === 'unknown' ? { reason: d.reason, suggested_person_id: d.suggestedPersonId } : {}),
    best_similarity: d.kind === 'match' ? d.similarity : d.bestSimilarity,
    // the value the policy compared (cohort-normalised for a model that ships a cohort), and its scale
    best_score: d.kind === 'match' ? d.score : d.bestScore,
    score_scale: identification.scale,
    ...(d.kind === 'match' ? { runner_up_score: d.runnerUp, refined_voiceprint: d.refine } : {}),
    // on a calibrated model: the probability of the answer (the named person's, or the likeliest one's), of nobody
    // enrolled, whether the device's preceding turn decided it, and which model's voiceprint matched
    ...(d.kind !== 'new_person' && d.posterior !== undefined ? { posterior: d.posterior } : {}),
    ...(identification.unknownPosterior !== null
      ? { unknown_posterior: identification.unknownPosterior }
      : {}),
    context_used: identification.contextUsed,
    ...(d.kind === 'match' ? { matched_model_id: identification.matchedModelId } : {}),
    speech_seconds: Math.round(identification.speechSeconds * 100) / 100,
    model_id: identification.modelId,
    weak_model: identification.weakModel,
  };
}
