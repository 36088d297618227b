/** Port: 16 kHz mono in, same length out, less noise. */
export interface Denoiser {
  readonly name: string;
  readonly model?: string;
  denoise(samples: Float32Array): Promise<Float32Array>;
}
