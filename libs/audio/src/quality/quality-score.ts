import type { QualityReport } from '../audio.types.js';
import { Fft, hann } from '../dsp/fft.js';

/**
 * Clip quality, a pure function of the samples and the VAD's per-frame speech flags (32 ms frames).
 *
 * Measures
 * - speech_ratio = speech frames / all frames (VAD with hysteresis).
 * - snr_db: speech power over the noise floor. The floor is the mean power of the NON-speech frames; when fewer than
 *   3 non-speech frames exist (VAD-trimmed clips), the mean of the quietest 10 % of frames stands in. Speech power is
 *   the mean power of speech frames minus the floor. No speech → 0 dB. Clamped to [-10, 60] dB (digital silence
 *   around speech reads as 60: very clean, not as an arbitrary lower cap).
 * - clarity (0–100), over the speech frames (all frames when there are none): 100·(0.7·r + 0.3·(1 − flatness)),
 *   r = share of power in 300–3400 Hz, flatness = spectral flatness of that band (Welch-style average of Hann frames).
 * - rms: whole clip; the level sub-score uses the RMS of the speech frames in dBFS.
 * - clipping_ratio: share of samples with |x| ≥ 0.99 full scale.
 *
 * Score
 *   snr_s   = clamp(snr_db / 30, 0, 1) · 100                (30 dB counts as excellent)
 *   level_s = 100 between −35 and −12 dBFS speech RMS, linear to 0 at −60 dBFS and at 0 dBFS
 *   speech_s = clamp(speech_ratio / 0.3, 0, 1) · 100         (a clip that is ≥ 30 % speech is fully "speechy")
 *   base    = 0.40·snr_s + 0.25·clarity + 0.15·level_s + 0.20·speech_s
 *   score   = base · clip_factor · speech_gate, with
 *   clip_factor = max(0, 1 − 25·clipping_ratio)              (1 % clipped samples cost 25 %, 4 % → 0)
 *   speech_gate = clamp(speech_ratio / 0.05, 0, 1)           (no speech → 0: silence and pure noise score 0)
 *
 * Choices: the noise floor comes from VAD silence rather than the quietest tenth of the clip (which is speech in a
 * clip that is all speech); silence scores 0; clipping is penalised; loud is not better than right.
 * Location and RSSI are not part of clip quality (the stream arbitration adds them).
 */
export function assessQuality(
  samples: Float32Array,
  speechFlags: Uint8Array,
  frameSamples: number,
): QualityReport {
  const n = samples.length;
  if (n === 0) return { score: 0, snr_db: 0, clarity: 0, rms: 0, clipping_ratio: 0, speech_ratio: 0 };
  const frames = Math.ceil(n / frameSamples);
  const framePower = new Float64Array(frames);
  let total = 0;
  let clipped = 0;
  for (let f = 0; f < frames; f++) {
    const end = Math.min(n, (f + 1) * frameSamples);
    let s = 0;
    for (let i = f * frameSamples; i < end; i++) {
      const v = samples[i]!;
      s += v * v;
      if (v >= 0.99 || v <= -0.99) clipped++;
    }
    total += s;
    framePower[f] = s / (end - f * frameSamples);
  }
  let speechFrames = 0;
  let speechPower = 0;
  let noisePower = 0;
  let noiseFrames = 0;
  for (let f = 0; f < frames; f++) {
    if (speechFlags[f]) {
      speechFrames++;
      speechPower += framePower[f]!;
    } else {
      noiseFrames++;
      noisePower += framePower[f]!;
    }
  }
  const speechRatio = speechFrames / frames;
  let floor: number;
  if (noiseFrames >= 3) floor = noisePower / noiseFrames;
  else {
    const sorted = Array.from(framePower).sort((a, b) => a - b);
    const k = Math.max(1, Math.floor(frames * 0.1));
    floor = sorted.slice(0, k).reduce((a, b) => a + b, 0) / k;
  }
  floor = Math.max(floor, 1e-10);
  let snrDb = 0;
  if (speechFrames > 0) {
    const meanSpeech = speechPower / speechFrames;
    const signal = Math.max(meanSpeech - floor, 1e-12);
    snrDb = Math.max(-10, Math.min(60, 10 * Math.log10(signal / floor)));
  }
  const clarity = speechBandClarity(samples, speechFrames > 0 ? speechFlags : undefined, frameSamples);
  const rms = Math.sqrt(total / n);
  const speechRms = speechFrames > 0 ? Math.sqrt(speechPower / speechFrames) : rms;
  const clippingRatio = clipped / n;

  const snrS = clamp(snrDb / 30, 0, 1) * 100;
  const levelS = levelScore(20 * Math.log10(speechRms + 1e-10));
  const speechS = clamp(speechRatio / 0.3, 0, 1) * 100;
  const base = 0.4 * snrS + 0.25 * clarity + 0.15 * levelS + 0.2 * speechS;
  const clipFactor = Math.max(0, 1 - 25 * clippingRatio);
  const speechGate = clamp(speechRatio / 0.05, 0, 1);
  const score = clamp(base * clipFactor * speechGate, 0, 100);
  return {
    score: round(score, 1),
    snr_db: round(snrDb, 2),
    clarity: round(clarity, 1),
    rms: round(rms, 5),
    clipping_ratio: round(clippingRatio, 5),
    speech_ratio: round(speechRatio, 3),
  };
}

/** 100 between −35 and −12 dBFS; linear to 0 at −60 dBFS below and at 0 dBFS above. */
export function levelScore(dbfs: number): number {
  if (dbfs <= -60 || dbfs >= 0) return 0;
  if (dbfs < -35) return ((dbfs + 60) / 25) * 100;
  if (dbfs > -12) return (-dbfs / 12) * 100;
  return 100;
}

const NFFT = 512;
let fft: Fft | undefined;
let window: Float64Array | undefined;

/** 100·(0.7·band share + 0.3·(1 − band flatness)) over averaged Hann-windowed power spectra. */
export function speechBandClarity(
  samples: Float32Array,
  flags: Uint8Array | undefined,
  frameSamples: number,
): number {
  fft ??= new Fft(NFFT);
  window ??= hann(NFFT);
  const psd = new Float64Array(NFFT / 2 + 1);
  const re = new Float64Array(NFFT / 2 + 1);
  const im = new Float64Array(NFFT / 2 + 1);
  const frame = new Float64Array(NFFT);
  let used = 0;
  for (let start = 0; start + NFFT <= samples.length; start += NFFT / 2) {
    if (flags && !flags[Math.floor((start + NFFT / 2) / frameSamples)]) continue;
    for (let i = 0; i < NFFT; i++) frame[i] = samples[start + i]! * window[i]!;
    fft.realForward(frame, re, im);
    for (let k = 0; k <= NFFT / 2; k++) psd[k] += re[k]! * re[k]! + im[k]! * im[k]!;
    used++;
  }
  if (used === 0) return 0;
  const binHz = 16000 / NFFT;
  let all = 0;
  let band = 0;
  let logSum = 0;
  let bandBins = 0;
  for (let k = 0; k <= NFFT / 2; k++) {
    const p = psd[k]! / used;
    all += p;
    const hz = k * binHz;
    if (hz >= 300 && hz <= 3400) {
      band += p;
      logSum += Math.log(p + 1e-10);
      bandBins++;
    }
  }
  if (all <= 1e-12) return 0;
  const ratio = band / all;
  const flatness = Math.exp(logSum / bandBins) / (band / bandBins + 1e-10);
  return clamp(100 * (0.7 * ratio + 0.3 * (1 - flatness)), 0, 100);
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
