/** Closed-set speaker identification and verification over the dev speakers (shared by the eval scripts). */
import type { AudioPipeline } from '../libs/audio/src/audio-pipeline.js';
import { cosine } from '../libs/audio/src/speaker/onnx-speaker-embedder.js';
import { centroidOf } from '../libs/recognition/src/speaker-policy.js';
import { equalErrorRate } from './lib.js';

export interface SpeakerSet {
  speaker: string;
  enrol: Float32Array[];
  tests: Float32Array[];
}

export interface SpeakerScores {
  eer: number;
  top1: number;
  trials: number;
  targets: number;
  nonTargets: number;
}

/**
 * Enrolment = mean of the enrolment embeddings (re-normalised); each test utterance is scored by cosine against every
 * enrolled speaker: top-1 = the best-scoring speaker is the right one; EER over all (test, speaker) scores.
 */
export async function scoreSpeakers(
  pipeline: AudioPipeline,
  modelId: string,
  sets: SpeakerSet[],
  transform: (x: Float32Array) => Promise<Float32Array> = async (x) => x,
): Promise<SpeakerScores> {
  const centroids: Float32Array[] = [];
  for (const set of sets) {
    const vectors = await Promise.all(set.enrol.map(async (x) => (await pipeline.embed(x, modelId)).vector));
    centroids.push(centroidOf(vectors));
  }
  const targets: number[] = [];
  const nonTargets: number[] = [];
  let correct = 0;
  let trials = 0;
  for (let s = 0; s < sets.length; s++) {
    for (const test of sets[s]!.tests) {
      const v = (await pipeline.embed(await transform(test), modelId)).vector;
      const scores = centroids.map((c) => cosine(v, c));
      let best = 0;
      for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[best]!) best = k;
      if (best === s) correct++;
      trials++;
      scores.forEach((score, k) => (k === s ? targets : nonTargets).push(score));
    }
  }
  return {
    eer: equalErrorRate(targets, nonTargets),
    top1: correct / trials,
    trials,
    targets: targets.length,
    nonTargets: nonTargets.length,
  };
}
