/**
 * Speaker decisions on a toy scale for the unit tests of libs/recognition: embeddings are unit vectors in a plane,
 * scored by cosine, with a calibration that reads cosines as evidence.
 */
import { cosine } from '@mira/core';
import type { ModelEvidence, PersonCentroid, ScoreCalibration, SpeakerPolicy } from '@mira/recognition';

/** A calibration on cosine: llr = 20·(cos − 0.5) for 2 s of speech, steeper for longer speech, flatter for shorter. */
export const calibration: ScoreCalibration = {
  scale: 'cosine',
  clean: { a: -10, b: 20, c: 5, d: -2.5 },
  noisy: { a: -8, b: 14, c: 3, d: -1.5 },
  minSeconds: 1,
  maxSeconds: 8,
};
export const policy: SpeakerPolicy = {
  matchThreshold: 0.7,
  matchMargin: 0.1,
  minMatchSpeechSeconds: 1,
  newPersonMinSpeechSeconds: 2,
  newPersonSimilarityGap: 0.15,
  refineSimilarityBonus: 0.1,
  autoSamplesMax: 3,
  noisySnrDb: 12,
  noisyMatchThreshold: 0.6,
  gathering: {
    sameVoiceScore: 0.8,
    minUtterances: 3,
    minTotalSeconds: 5,
    keepDays: 30,
    voiceprintMaxSamples: 10,
  },
  calibrated: {
    calibration,
    unknownPrior: 0.5,
    namePosterior: 0.99,
    noisyNamePosterior: 0.99,
    refinePosterior: 0.9999,
    refineMinSpeechSeconds: 2,
    gatheredRefinePosterior: 0.999,
    gatheredRefineMinSpeechSeconds: 1.5,
    continuationPrior: 0.8,
    continuationMaxGapSeconds: 5,
    continuationMaxSpeechSeconds: 2.5,
    continuationMinSpeechSeconds: 0.5,
    continuationMinLlr: 5,
    shortSpeechSeconds: 2.5,
    shortNoisyNamePosterior: 0.999,
    gatherMinSpeechSeconds: 1.5,
    gatherMinSnrDb: 20,
    gatherMaxScore: 0.5,
  },
};

/** A unit vector at `degrees` from the x axis in the xy plane, lifted by `z` out of it. */
export const at = (degrees: number, z = 0) => {
  const r = (degrees * Math.PI) / 180;
  const v = new Float32Array([Math.cos(r), Math.sin(r), z]);
  const n = Math.hypot(v[0]!, v[1]!, v[2]!);
  return v.map((x) => x / n);
};
export const person = (personId: string, degrees: number): PersonCentroid => ({
  personId,
  centroid: at(degrees),
  samples: 3,
});
export const evidence = (
  embedding: Float32Array,
  persons: PersonCentroid[],
  over: Partial<ModelEvidence> = {},
): ModelEvidence => ({
  modelId: 'model-b',
  embedding,
  persons,
  policy,
  scale: 'cosine',
  score: (test, references) => {
    const cosines = references.map((r) => cosine(test, r));
    return { scale: 'cosine', scores: cosines, cosines };
  },
  ...over,
});
