/** Closed-set speaker identification and verification over the dev speakers (shared by the eval scripts). */
import type { AudioPipeline } from '@mira/audio';
import {
  bestScores,
  planIdentification,
  type PersonCentroid,
  type PersonScores,
  type SpeakerPolicy,
  defaultPolicyFor,
  judgeSpeaker,
  type SpeakerJudgement,
  type UtteranceFacts,
} from '@mira/recognition';
import { centroidOf, cosine } from '@mira/core';
import { ENROLMENT_MIN_SPEECH_SECONDS, equalErrorRate } from './lib.js';

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
 * Enrols every set as the product enrols (AudioPipeline.enrolmentSample: each clip's VAD speech after the denoiser
 * embedded, and the clip heard in noise), refusing clips with less VAD speech than the product's enrolment minimum.
 * The voiceprint is the centroid of the clips' embeddings (and of their embeddings heard in noise). Computed once per
 * model and reused across conditions.
 */
export async function enrolPersons(
  pipeline: AudioPipeline,
  modelId: string,
  sets: SpeakerSet[],
): Promise<PersonCentroid[]> {
  const persons: PersonCentroid[] = [];
  for (const set of sets) {
    const clean: Float32Array[] = [];
    const noisy: Float32Array[] = [];
    for (const x of set.enrol) {
      const sample = await pipeline.enrolmentSample(x, modelId);
      if (sample.speechSeconds < ENROLMENT_MIN_SPEECH_SECONDS || !sample.voice) continue;
      clean.push(sample.voice.vector);
      if (sample.inNoise) noisy.push(sample.inNoise.vector);
    }
    if (clean.length === 0) throw new Error(`every enrolment clip of ${set.speaker} was refused`);
    persons.push({
      personId: set.speaker,
      centroid: centroidOf(clean),
      ...(noisy.length ? { noisyCentroid: centroidOf(noisy) } : {}),
      samples: clean.length,
    });
  }
  return persons;
}

/**
 * The product's decision (judgeSpeaker, the function the pipeline calls) on one utterance of `modelId` against
 * enrolled persons, with the model's built-in policy on its scale.
 */
export function judge(
  pipeline: AudioPipeline,
  modelId: string,
  embedding: Float32Array,
  persons: PersonCentroid[],
  facts: UtteranceFacts,
): SpeakerJudgement {
  const scale = pipeline.speakerScale(modelId);
  return judgeSpeaker(facts, [
    {
      modelId,
      embedding,
      persons,
      policy: defaultPolicyFor(modelId, scale),
      scale,
      score: (test, references) => pipeline.scoreVoices(modelId, test, references),
    },
  ]);
}

/**
 * EER and top-1 on the product's scores: each test utterance is scored against every enrolled speaker as the product
 * scores it (the model's scale; with a cohort, `noisy` speech against the better of the clean voiceprint and the one
 * heard in noise, as `planIdentification` and `bestScores` do), and by plain cosine against the clean voiceprint.
 */
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
