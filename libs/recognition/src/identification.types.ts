import type { SpeakerDecision, SpeakerPolicy } from './speaker-policy.js';

/** Who spoke an utterance, as SpeakerIdentificationService decided it (nothing is written by deciding). */
export interface Identification {
  decision: SpeakerDecision;
  modelId: string | null;
  weakModel: boolean;
  speechSeconds: number;
  embedding: Float32Array | null;
  policy: SpeakerPolicy | null;
  /** Scale of the decision's scores (`as-norm` with the model's cohort, else `cosine`); null without a decision. */
  scale: string | null;
}
