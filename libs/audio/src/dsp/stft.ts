import { Fft, sqrtHann } from './fft.js';

/**
 * Streaming-friendly STFT/ISTFT pair with a sqrt-Hann window on analysis and synthesis (periodic Hann at 50 %
 * overlap sums to one, so analysis → synthesis reconstructs the input exactly). The signal is framed with
 * `nFft - hop` leading zeros so that every sample is covered by two frames, and trimmed back on synthesis.
 */
export class Stft {
  readonly bins: number;
  private readonly fft: Fft;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly out: Float64Array;

  constructor(
    readonly nFft = 512,
    readonly hop = 256,
  ) {
    this.bins = nFft / 2 + 1;
    this.fft = new Fft(nFft);
    this.window = sqrtHann(nFft);
    this.frame = new Float64Array(nFft);
    this.out = new Float64Array(nFft);
  }

  /** Number of frames analyse() yields for `length` samples. */
  frameCount(length: number): number {
    return Math.ceil((length + (this.nFft - this.hop)) / this.hop);
  }

  /** Spectrum of frame t (bins re/im written into the given arrays). */
  analyse(
    samples: Float32Array,
    t: number,
    re: Float32Array | Float64Array,
    im: Float32Array | Float64Array,
  ): void {
    const lead = this.nFft - this.hop;
    const start = t * this.hop - lead;
    for (let i = 0; i < this.nFft; i++) {
      const j = start + i;
      this.frame[i] = j >= 0 && j < samples.length ? samples[j]! * this.window[i]! : 0;
    }
    this.fft.realForward(this.frame, re, im);
  }

  /** Overlap-adds the synthesis of frame t into `output` (same length as the analysed signal). */
  synthesise(re: ArrayLike<number>, im: ArrayLike<number>, t: number, output: Float32Array): void {
    this.fft.realInverse(re, im, this.out);
    const start = t * this.hop - (this.nFft - this.hop);
    for (let i = 0; i < this.nFft; i++) {
      const j = start + i;
      if (j >= 0 && j < output.length) output[j] += this.out[i]! * this.window[i]!;
    }
  }
}
