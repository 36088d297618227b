/** Port: a voice embedding for 16 kHz mono speech. Vectors are L2-normalised and deterministic. */
export interface SpeakerEmbedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly weak: boolean;
  embed(samples: Float32Array): Promise<Float32Array>;
}
