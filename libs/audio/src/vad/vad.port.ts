/** Port: per-frame speech probabilities for 16 kHz mono audio. */
export interface VoiceActivityDetector {
  readonly name: string;
  readonly model?: string;
  /** Samples per probability frame. */
  readonly frameSamples: number;
  probabilities(samples: Float32Array): Promise<Float32Array>;
}
