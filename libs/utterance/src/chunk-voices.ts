/**
 * The rules that decide whether one uploaded chunk holds more than one voice, apart from the engines that produce the
 * evidence (diarization turns, the speaker policy's judgement of each voice). Pure, so that the evaluation
 * (`npm run eval:diarization:chunks`) measures exactly what the utterance pipeline does.
 */
import type { SpeakerTurn } from '@mira/audio';
import { isNoisy, type SpeakerPolicy } from '@mira/recognition';

export const CHUNK_DIARIZATION = {
  /**
   * A chunk with less speech than this is one voice without asking the diarizer: two voices need the diarizer's
   * least speech per voice (DiarizationOptions.minSpeakerSeconds, 2 s) each.
   */
  minSpeechSeconds: 4,
  /** A turn shorter than this is not an utterance of its own: its speech goes to the voice before it (or after). */
  minTurnSeconds: 0.3,
} as const;

/** What the policy said about one voice of the chunk: who (when named) and its embedding. */
export interface VoiceEvidence {
  label: string;
  /** The enrolled person the policy named, or null. */
  personId: string | null;
  embedding: Float32Array | null;
}

/**
 * The diarizer's turns as candidate turns of the chunk: short turns given to their neighbour's voice, neighbouring
 * turns of one voice joined; null when fewer than two voices remain (the chunk is one voice).
 */
export function candidateTurns(turns: SpeakerTurn[]): SpeakerTurn[] | null {
  const kept = turns.map((t) => ({ ...t }));
  for (let i = 0; i < kept.length; i++) {
    const t = kept[i]!;
    if (t.end - t.start >= CHUNK_DIARIZATION.minTurnSeconds) continue;
    const neighbour =
      kept[i - 1] ?? kept.slice(i + 1).find((n) => n.end - n.start >= CHUNK_DIARIZATION.minTurnSeconds);
    if (neighbour) t.speaker = neighbour.speaker;
  }
  const joined = joinTurns(kept);
  return new Set(joined.map((t) => t.speaker)).size >= 2 ? joined : null;
}

/**
 * The score under which two voices of one chunk are told apart: the speaker policy's line for a voice "clearly unlike"
 * a person (the match threshold of clean or noisy speech minus `newPersonSimilarityGap`, as for a new person). Two
 * voices that score above it could be one person, and a chunk is split only on clear evidence: one voice in noise
 * or changing its tone must not become two interactions.
 */
export function distinctVoicesBelow(policy: SpeakerPolicy, snrDb: number | null): number {
  const threshold = isNoisy(snrDb, policy) ? policy.noisyMatchThreshold : policy.matchThreshold;
  return threshold - policy.newPersonSimilarityGap;
}

/**
 * Which voices are one voice after all: two voices the policy named as the same person, or whose embeddings score at
 * least `sameVoiceScore` against each other (distinctVoicesBelow). Answers each label's representative (the first
 * label of its group, in order).
 */
export function sameVoices(
  voices: VoiceEvidence[],
  score: (test: Float32Array, references: Float32Array[]) => { scores: number[] },
  sameVoiceScore: number,
): Map<string, string> {
  const representative = new Map<string, string>();
  const groups: VoiceEvidence[][] = [];
  for (const voice of voices) {
    const group = groups.find((g) =>
      g.some(
        (other) =>
          (voice.personId !== null && voice.personId === other.personId) ||
          (voice.embedding !== null &&
            other.embedding !== null &&
            score(voice.embedding, [other.embedding]).scores[0]! >= sameVoiceScore),
      ),
    );
    if (group) group.push(voice);
    else groups.push([voice]);
    representative.set(voice.label, (group ?? groups[groups.length - 1]!)[0]!.label);
  }
  return representative;
}

/** The turns with each voice renamed to its representative, neighbouring turns of one voice joined. */
export function mergeVoices(turns: SpeakerTurn[], representative: Map<string, string>): SpeakerTurn[] {
  return joinTurns(turns.map((t) => ({ ...t, speaker: representative.get(t.speaker) ?? t.speaker })));
}

function joinTurns(turns: SpeakerTurn[]): SpeakerTurn[] {
  const joined: SpeakerTurn[] = [];
  for (const t of turns) {
    const last = joined[joined.length - 1];
    if (last && last.speaker === t.speaker) last.end = t.end;
    else joined.push({ ...t });
  }
  return joined;
}
