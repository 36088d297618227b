/**
 * Two rooms or one (tooling only): how often the arbitration's copy comparison (compareCopies, the product function)
 * takes two copies of one sound for two sounds (the same words forwarded twice) or two talkers for one sound (one of
 * them dropped). Copies are LibriSpeech speech (2 s) through synthetic room impulse responses (a direct path plus
 * exponentially decaying noise, RT60 0.3–1 s, a different response per microphone) with white noise.
 *
 * Usage: npm run eval:arbitration:rooms   (EVAL_PAIRS per condition, default 60; EVAL_SEED, default 7)
 */
import { compareCopies, Fft } from '@mira/audio';
import { gaussian, seededRandom } from '@mira/core';
import { librispeechTrainFiles } from '../tooling/shared-data.js';
import { decodeFlac, SR } from './streams-lib.js';

const PAIRS = Number(process.env.EVAL_PAIRS ?? 60);
const random = seededRandom(Number(process.env.EVAL_SEED ?? 7));
const files = librispeechTrainFiles();
const CLIP = 2 * SR;
const FFT_SIZE = 65536; // ≥ clip + longest response
const fft = new Fft(FFT_SIZE);

function roomResponse(rt60: number, directDelay: number): Float64Array {
  const h = new Float64Array(FFT_SIZE);
  h[directDelay] = 1;
  const tau = rt60 / 6.9; // amplitude decay constant: −60 dB after rt60
  const tail = Math.min(FFT_SIZE - CLIP - directDelay - 1, Math.floor(rt60 * SR));
  for (let i = 1; i < tail; i++) {
    h[directDelay + i] = (1.2 * gaussian(random) * Math.exp(-i / SR / tau)) / Math.sqrt((SR * tau) / 2);
  }
  return h;
}

function reverberate(x: Float32Array, h: Float64Array): Float32Array {
  const frame = new Float64Array(FFT_SIZE);
  frame.set(x);
  const bins = FFT_SIZE / 2 + 1;
  const [xr, xi, hr, hi] = [0, 0, 0, 0].map(() => new Float64Array(bins)) as Float64Array[];
  fft.realForward(frame, xr!, xi!);
  fft.realForward(h, hr!, hi!);
  for (let k = 0; k < bins; k++) {
    const re = xr![k]! * hr![k]! - xi![k]! * hi![k]!;
    xi![k] = xr![k]! * hi![k]! + xi![k]! * hr![k]!;
    xr![k] = re;
  }
  fft.realInverse(xr!, xi!, frame);
  return Float32Array.from(frame.subarray(0, x.length));
}

function withNoise(x: Float32Array, snrDb: number): Float32Array {
  const power = x.reduce((s, v) => s + v * v, 0) / x.length;
  const std = Math.sqrt(power / 10 ** (snrDb / 10));
  return x.map((v) => v + std * gaussian(random));
}

const speech = () => decodeFlac(files[Math.floor(random() * files.length)]!).subarray(0, CLIP);

console.log('| RT60 | noise | one sound taken for two | two talkers taken for one |');
console.log('|---|---|---|---|');
let split = 0;
let merged = 0;
let total = 0;
for (const rt60 of [0.3, 0.6, 1.0]) {
  for (const snrDb of [5, 15]) {
    let splitHere = 0;
    let mergedHere = 0;
    for (let p = 0; p < PAIRS; p++) {
      const words = speech();
      const other = speech();
      const near = withNoise(reverberate(words, roomResponse(rt60, 20)), snrDb);
      const far = withNoise(reverberate(words, roomResponse(rt60, 60)), snrDb);
      const elsewhere = withNoise(reverberate(other, roomResponse(rt60, 40)), snrDb);
      if (compareCopies([near, far]).sounds.length > 1) splitHere++;
      if (compareCopies([near, elsewhere]).sounds.length === 1) mergedHere++;
    }
    console.log(`| ${rt60} s | ${snrDb} dB | ${splitHere}/${PAIRS} | ${mergedHere}/${PAIRS} |`);
    split += splitHere;
    merged += mergedHere;
    total += PAIRS;
  }
}
console.log(`| all | | ${split}/${total} | ${merged}/${total} |`);
