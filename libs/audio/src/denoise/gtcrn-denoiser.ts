import * as ort from 'onnxruntime-node';
import { Stft } from '../dsp/stft.js';
import type { Denoiser } from './denoiser.port.js';

const BINS = 257;

/**
 * GTCRN (Rong & al., ICASSP 2024; 48 K parameters) as a streaming ONNX graph: `mix f32[1,257,T,2]` in, `enh` out,
 * with the convolution, temporal-recurrent and inter-frame caches carried from call to call. The upstream export
 * takes T = 1; our derived graph (`models/gtcrn-multiframe.ts`, same weights) takes any T, which spreads the
 * per-node dispatch cost of a call over `framesPerCall` frames and gives the same output (denoise RTF: BENCHMARKS.md).
 * STFT/ISTFT are ours (n_fft 512, hop 256, sqrt-Hann), so any clip length works and output length equals input.
 */
export class GtcrnDenoiser implements Denoiser {
  readonly name = 'gtcrn';
  private readonly stft = new Stft(512, 256);

  constructor(
    private readonly session: ort.InferenceSession,
    readonly model: string,
    /** STFT frames per session call: 1 for the upstream export; 64 (~1 s) bounds memory for the derived graph. */
    readonly framesPerCall = 1,
  ) {}

  async denoise(samples: Float32Array): Promise<Float32Array> {
    const output = new Float32Array(samples.length);
    if (samples.length === 0) return output;
    const frames = this.stft.frameCount(samples.length);
    const re = new Float32Array(BINS);
    const im = new Float32Array(BINS);
    const outRe = new Float32Array(BINS);
    const outIm = new Float32Array(BINS);
    // caches start at zero; each call's output caches are fed back as the next call's inputs (no copies)
    let conv: ort.Tensor = new ort.Tensor(
      'float32',
      new Float32Array(2 * 1 * 16 * 16 * 33),
      [2, 1, 16, 16, 33],
    );
    let tra: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * 3 * 1 * 1 * 16), [2, 3, 1, 1, 16]);
    let inter: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * 1 * 33 * 16), [2, 1, 33, 16]);
    for (let first = 0; first < frames; first += this.framesPerCall) {
      const count = Math.min(this.framesPerCall, frames - first);
      // layout [1, bin, frame, re|im]
      const mix = new Float32Array(BINS * count * 2);
      for (let t = 0; t < count; t++) {
        this.stft.analyse(samples, first + t, re, im);
        for (let k = 0; k < BINS; k++) {
          mix[(k * count + t) * 2] = re[k]!;
          mix[(k * count + t) * 2 + 1] = im[k]!;
        }
      }
      const result = await this.session.run({
        mix: new ort.Tensor('float32', mix, [1, BINS, count, 2]),
        conv_cache: conv,
        tra_cache: tra,
        inter_cache: inter,
      });
      const enh = result.enh!.data as Float32Array;
      for (let t = 0; t < count; t++) {
        for (let k = 0; k < BINS; k++) {
          outRe[k] = enh[(k * count + t) * 2]!;
          outIm[k] = enh[(k * count + t) * 2 + 1]!;
        }
        this.stft.synthesise(outRe, outIm, first + t, output);
      }
      conv = result.conv_cache_out!;
      tra = result.tra_cache_out!;
      inter = result.inter_cache_out!;
    }
    for (let i = 0; i < output.length; i++) {
      const v = output[i]!;
      output[i] = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
    }
    return output;
  }
}
