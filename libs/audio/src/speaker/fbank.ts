import { Fft } from '../dsp/fft.js';

export interface FbankOptions {
  numMelBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
  /** Subtract each bin's mean over the utterance. */
  cmn: boolean;
}

const melScale = (hz: number) => 1127 * Math.log(1 + hz / 700);

/**
 * Kaldi-compatible log-mel filterbank (what WeSpeaker, 3D-Speaker CAM++/ERes2Net and most ONNX speaker models take):
 * 16 kHz, Povey window, pre-emphasis 0.97, DC removal per frame, FFT size next power of two, triangular mel filters
 * from 20 Hz to Nyquist, natural log of the power, no dither (deterministic). Input is scaled to int16 range as
 * Kaldi does. Returns frames × bins, row-major.
 */
export function computeFbank(
  samples: Float32Array,
  options: FbankOptions,
): { data: Float32Array; frames: number } {
  const sr = 16000;
  const frameLength = Math.round((sr * options.frameLengthMs) / 1000);
  const shift = Math.round((sr * options.frameShiftMs) / 1000);
  const frames = samples.length < frameLength ? 0 : 1 + Math.floor((samples.length - frameLength) / shift);
  const bins = options.numMelBins;
  const data = new Float32Array(frames * bins);
  if (frames === 0) return { data, frames };
  let nFft = 1;
  while (nFft < frameLength) nFft <<= 1;
  const fft = new Fft(nFft);
  const window = new Float64Array(frameLength);
  for (let i = 0; i < frameLength; i++) {
    window[i] = Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (frameLength - 1)), 0.85);
  }
  const half = nFft / 2;
  const lowMel = melScale(20);
  const highMel = melScale(sr / 2);
  const delta = (highMel - lowMel) / (bins + 1);
  const filters: Array<{ start: number; weights: number[] }> = [];
  for (let m = 0; m < bins; m++) {
    const left = lowMel + m * delta;
    const centre = left + delta;
    const right = centre + delta;
    const weights: number[] = [];
    let start = -1;
    for (let k = 0; k < half; k++) {
      const mel = melScale((k * sr) / nFft);
      let w = 0;
      if (mel > left && mel < right)
        w = mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
      if (w > 0) {
        if (start < 0) start = k;
        weights[k - start] = w;
      } else if (start >= 0 && weights.length > 0) {
        weights[k - start] = 0;
      }
    }
    filters.push({ start: Math.max(0, start), weights });
  }
  const frame = new Float64Array(nFft);
  const re = new Float64Array(half + 1);
  const im = new Float64Array(half + 1);
  const power = new Float64Array(half + 1);
  for (let t = 0; t < frames; t++) {
    const offset = t * shift;
    let mean = 0;
    for (let i = 0; i < frameLength; i++) mean += samples[offset + i]! * 32768;
    mean /= frameLength;
    frame.fill(0);
    for (let i = 0; i < frameLength; i++) frame[i] = samples[offset + i]! * 32768 - mean;
    for (let i = frameLength - 1; i > 0; i--) frame[i] = frame[i]! - 0.97 * frame[i - 1]!;
    frame[0] = frame[0]! * (1 - 0.97);
    for (let i = 0; i < frameLength; i++) frame[i] = frame[i]! * window[i]!;
    fft.realForward(frame, re, im);
    for (let k = 0; k <= half; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    for (let m = 0; m < bins; m++) {
      const { start, weights } = filters[m]!;
      let e = 0;
      for (let j = 0; j < weights.length; j++) e += (weights[j] ?? 0) * power[start + j]!;
      data[t * bins + m] = Math.log(Math.max(e, 1.1920929e-7));
    }
  }
  if (options.cmn) {
    for (let m = 0; m < bins; m++) {
      let mean = 0;
      for (let t = 0; t < frames; t++) mean += data[t * bins + m]!;
      mean /= frames;
      for (let t = 0; t < frames; t++) data[t * bins + m] -= mean;
    }
  }
  return { data, frames };
}
