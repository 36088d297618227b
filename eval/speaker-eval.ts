/** Closed-set speaker identification and verification over the dev speakers (shared by the eval scripts). */
import type { AudioPipeline } from '@mira/audio';
import {
  bestScores,
  defaultPolicyFor,
  planIdentification,
  type PersonCentroid,
  type PersonScores,
  type SpeakerPolicy,
} from '@mira/recognition';
import { centroidOf, cosine } from '@mira/core';
import { equalErrorRate } from './lib.js';

export interface SpeakerSet {
  speaker: string;
  enrol: Float32Array[];
  tests: Float32Array[];
}

/**
 * The product's scores of one utterance against persons (SpeakerIdentificationService.identify's rule:
 * `planIdentification`, the model's scale, `bestScores` over the planned references), with the policy they are
 * judged by. `snrDb` decides clean or noisy as the SNR stage would.
 */
export function productScores(
  pipeline: AudioPipeline,
  modelId: string,
  embedding: Float32Array,
  persons: PersonCentroid[],
  snrDb: number | null,
): { scored: PersonScores; policy: SpeakerPolicy; noisyReferences: boolean } {
  const scale = pipeline.speakerScale(modelId);
  const policy = defaultPolicyFor(modelId, scale);
  const { references, offsets } = planIdentification(snrDb, persons, scale, policy);
  const scored = bestScores(pipeline.scoreVoices(modelId, embedding, references), offsets);
  return { scored, policy, noisyReferences: offsets.length > 1 };
}

export interface SpeakerScores {
  eer: number;
  top1: number;
  trials: number;
  targets: number;
  nonTargets: number;
}

/**
 * Enrolment = mean of the enrolment embeddings (re-normalised); each test utterance is scored against every enrolled
 * speaker as the product scores it, and by plain cosine against the clean voiceprint: top-1 = the best-scoring
 * speaker is the right one; EER over all (test, speaker) scores. The product scores on the model's scale
 * (`AudioPipeline.scoreVoices`: its cohort normalisation when it ships one); with a cohort, `noisy` speech is scored
 * against the better of the clean voiceprint and the voiceprint heard in noise (`AudioPipeline.embedInNoise` of each
 * enrolment clip), as `planIdentification` and `bestScores` do.
 */
/**
 * Enrols every set as the product does: the centroid of its clips' embeddings and, with `inNoise`, of their
 * embeddings heard in noise (`AudioPipeline.embedInNoise`). Computed once per model and reused across conditions.
 */
export async function enrolPersons(
  pipeline: AudioPipeline,
  modelId: string,
  sets: SpeakerSet[],
  inNoise = true,
): Promise<PersonCentroid[]> {
  const persons: PersonCentroid[] = [];
  for (const set of sets) {
    const clean: Float32Array[] = [];
    const noisy: Float32Array[] = [];
    for (const x of set.enrol) {
      clean.push((await pipeline.embed(x, modelId)).vector);
      const v = inNoise ? await pipeline.embedInNoise(x, modelId) : null;
      if (v) noisy.push(v.vector);
    }
    persons.push({
      personId: set.speaker,
      centroid: centroidOf(clean),
      ...(noisy.length ? { noisyCentroid: centroidOf(noisy) } : {}),
      samples: clean.length,
    });
  }
  return persons;
}

export async function scoreSpeakers(
  pipeline: AudioPipeline,
  modelId: string,
  sets: SpeakerSet[],
  persons: PersonCentroid[],
  transform: (x: Float32Array) => Promise<Float32Array> = async (x) => x,
  noisy = false,
): Promise<{ scale: string; product: SpeakerScores; cosine: SpeakerScores }> {
  const tally = () => ({ targets: [] as number[], nonTargets: [] as number[], correct: 0 });
  const product = tally();
  const plain = tally();
  let trials = 0;
  let scale = 'cosine';
  for (let s = 0; s < sets.length; s++) {
    for (const test of sets[s]!.tests) {
      const v = (await pipeline.embed(await transform(test), modelId)).vector;
      // a noisy row is judged as speech the SNR stage calls noisy
      const judged = productScores(pipeline, modelId, v, persons, noisy ? -Infinity : null);
      scale = `${judged.scored.scale} vs ${judged.noisyReferences ? 'best of clean and noisy' : 'clean'} voiceprint`;
      for (const [t, scores] of [
        [product, judged.scored.scores],
        [plain, persons.map((p) => cosine(v, p.centroid))],
      ] as const) {
        let best = 0;
        for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[best]!) best = k;
        if (best === s) t.correct++;
        scores.forEach((score, k) => (k === s ? t.targets : t.nonTargets).push(score));
      }
      trials++;
    }
  }
  const summary = (t: ReturnType<typeof tally>): SpeakerScores => ({
    eer: equalErrorRate(t.targets, t.nonTargets),
    top1: t.correct / trials,
    trials,
    targets: t.targets.length,
    nonTargets: t.nonTargets.length,
  });
  return { scale, product: summary(product), cosine: summary(plain) };
}
