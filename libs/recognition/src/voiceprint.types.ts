export type VoiceprintSource = 'enrolment' | 'auto';

/** One voice sample as the rest of the code sees it: its metadata, never the (encrypted) vectors. */
export interface VoiceSample {
  id: string;
  personId: string;
  /** The speaker model that made the embedding: only embeddings of the same model are ever compared. */
  modelId: string;
  speechSeconds: number;
  source: VoiceprintSource;
  description: string | null;
  createdAt: Date;
}

/** An accepted enrolment: the stored sample and what the upload was. */
export interface Enrolment {
  sample: VoiceSample;
  /** The speaker model is a weak baseline (identification will be unreliable). */
  weakModel: boolean;
  audioSeconds: number;
}
