import { Stft } from '../dsp/stft.js';
import type { Denoiser } from './denoiser.port.js';

/**
 * DSP fallback when the GTCRN file is absent: a stationary spectral gate. The noise magnitude per bin is the mean
 * over the quietest 20 % of frames; each bin gets a Wiener-like gain max(floor, 1 − (α·N/|X|)²), smoothed over
 * time, applied to the complex spectrum and resynthesised. Cleans steady noise (fans, hum, hiss), not babble.
 */
export class SpectralGateDenoiser implements Denoiser {
  readonly name = 'spectral-gate';
  private readonly stft = new Stft(512, 256);

  constructor(
    private readonly overSubtraction = 1.5,
    private readonly gainFloor = 0.1,
    private readonly smoothing = 0.6,
  ) {}

  async denoise(samples: Float32Array): Promise<Float32Array> {
    const output = new Float32Array(samples.length);
    if (samples.length === 0) return output;
    const bins = this.stft.bins;
    const frames = this.stft.frameCount(samples.length);
    const re = Array.from({ length: frames }, () => new Float32Array(bins));
    const im = Array.from({ length: frames }, () => new Float32Array(bins));
    const energy = new Float64Array(frames);
    for (let t = 0; t < frames; t++) {
      this.stft.analyse(samples, t, re[t]!, im[t]!);
      let e = 0;
      for (let k = 0; k < bins; k++) e += re[t]![k]! ** 2 + im[t]![k]! ** 2;
      energy[t] = e;
    }
    const order = Array.from(energy.keys()).sort((a, b) => energy[a]! - energy[b]!);
    const quiet = order.slice(0, Math.max(1, Math.floor(frames * 0.2)));
    const noise = new Float64Array(bins);
    for (const t of quiet) for (let k = 0; k < bins; k++) noise[k] += Math.hypot(re[t]![k]!, im[t]![k]!);
    for (let k = 0; k < bins; k++) noise[k] = noise[k]! / quiet.length;
    const gain = new Float64Array(bins).fill(1);
    for (let t = 0; t < frames; t++) {
      const r = re[t]!;
      const m = im[t]!;
      for (let k = 0; k < bins; k++) {
        const mag = Math.hypot(r[k]!, m[k]!) + 1e-12;
        const g = Math.max(this.gainFloor, 1 - ((this.overSubtraction * noise[k]!) / mag) ** 2);
        gain[k] = this.smoothing * gain[k]! + (1 - this.smoothing) * g;
        r[k] = r[k]! * gain[k]!;
        m[k] = m[k]! * gain[k]!;
      }
      this.stft.synthesise(r, m, t, output);
    }
    return output;
  }
}
