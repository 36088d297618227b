import type { SpeakerScoreNormaliser } from './cohort-normaliser.js';

/** Port: a voice embedding for 16 kHz mono speech. Vectors are L2-normalised and deterministic. */
export interface SpeakerEmbedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly weak: boolean;
  /** Where the model is measured weak (manifest `limitations`), or null. */
  readonly limitations: string | null;
  /** The score normalisation shipped with the model (its cohort), or null: embeddings are compared by cosine. */
  readonly normaliser: SpeakerScoreNormaliser | null;
  embed(samples: Float32Array): Promise<Float32Array>;
}
