/**
 * Unknown voices become people by accumulation, never from one utterance: clean speech that is clearly nobody
 * enrolled (judgeSpeaker's `gatherable`) is kept, unattributed; when enough of it is one voice, that voice becomes
 * exactly one new person, whose voiceprint is those utterances. Pure: the caller stores the kept speech and scores it.
 */
import { centroidOf } from '@mira/core';
import type { GatheringRules, PersonScores } from './speaker-policy.js';

export interface UnattributedSpeech {
  embedding: Float32Array;
  speechSeconds: number;
}

/**
 * The kept utterances (indices into `kept`) that, with `current`, are one voice ready to become a person; null when
 * there is not enough of it yet. `score`: the model's scores of a test embedding against references.
 *
 * One voice: each member scores at least `sameVoiceScore` against `current`, and each still does against the mean of
 * the others (an utterance linked by chance is dropped rather than merged).
 *
 * `isNewVoice`: the group, heard as one voice (its centroid, all its speech), must still be nobody enrolled. Single
 * utterances of an enrolled person sometimes look like nobody (short, far from the microphone, another channel); the
 * same person's utterances joined carry more evidence and meet their voiceprint, so they never found a new person.
 */
export function gatherVoice(
  kept: UnattributedSpeech[],
  current: UnattributedSpeech,
  rules: GatheringRules,
  score: (test: Float32Array, references: Float32Array[]) => PersonScores,
  isNewVoice?: (voice: UnattributedSpeech) => boolean,
): number[] | null {
  if (kept.length === 0) return null;
  const linked = score(
    current.embedding,
    kept.map((k) => k.embedding),
  ).scores;
  let members = kept.map((_, i) => i).filter((i) => linked[i]! >= rules.sameVoiceScore);
  for (let pass = 0; pass < 3 && members.length > 1; pass++) {
    const coherent = members.filter((i) => {
      const others = [current.embedding, ...members.filter((j) => j !== i).map((j) => kept[j]!.embedding)];
      return score(kept[i]!.embedding, [centroidOf(others)]).scores[0]! >= rules.sameVoiceScore;
    });
    if (coherent.length === members.length) break;
    members = coherent;
  }
  const seconds = current.speechSeconds + members.reduce((s, i) => s + kept[i]!.speechSeconds, 0);
  if (members.length + 1 < rules.minUtterances || seconds < rules.minTotalSeconds) return null;
  const voice = {
    embedding: centroidOf([current.embedding, ...members.map((i) => kept[i]!.embedding)]),
    speechSeconds: seconds,
  };
  if (isNewVoice && !isNewVoice(voice)) return null;
  return members;
}
