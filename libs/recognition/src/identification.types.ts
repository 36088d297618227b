import type { TurnContext } from './speaker-decision.js';
import type { SpeakerDecision, SpeakerPolicy } from './speaker-policy.js';

/** Who spoke an utterance, as SpeakerIdentificationService decided it (nothing is written by deciding). */
export interface Identification {
  decision: SpeakerDecision;
  /** The current speaker model (the one this utterance's embedding belongs to). */
  modelId: string | null;
  /** The model whose voiceprint gave the match: an earlier model's while its person awaits re-enrolment. */
  matchedModelId: string | null;
  weakModel: boolean;
  speechSeconds: number;
  embedding: Float32Array | null;
  policy: SpeakerPolicy | null;
  /** Scale of the decision's scores (`as-norm` with the model's cohort, else `cosine`); null without a decision. */
  scale: string | null;
  /** The same device's preceding turn, when one was close enough to count, and whether it decided this one. */
  context: TurnContext | null;
  contextUsed: boolean;
  /** P(nobody enrolled spoke), on a calibrated model. */
  unknownPosterior: number | null;
  /** Clean speech that is clearly nobody enrolled: kept to gather into a new person (VoiceGatheringService). */
  gatherable: boolean;
}

/** Where and when an utterance was heard: the device, and the server time its first sample was captured. */
export interface UtteranceOrigin {
  clientId: string;
  startedAt: Date;
}
