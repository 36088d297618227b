/**
 * The seeded scenes of eval:arbitration (tooling only): one LibriSpeech utterance (2.5 s cut) heard by 2–4 simulated
 * microphones. Shared by eval/arbitration.eval.ts (the real app over HTTP) and eval/arbitration-offline.ts (the
 * ranking functions alone), so both see exactly the same audio for a seed.
 */
import { pinkFilter } from '@mira/audio';
import { gaussian, seededRandom } from '@mira/core';
import { librispeechTrainFiles } from '../tooling/shared-data.js';
import { decodeFlac, power, SR } from './streams-lib.js';

export const NOISES = ['white', 'pink', 'brown', 'babble', 'hum', 'fan'] as const;
export type Noise = (typeof NOISES)[number];

export interface Mic {
  name: string;
  gain: number;
  snrDb: number;
  noise: Noise;
  acousticMs: number;
  leadS: number;
  tailS: number;
  skewMs: number;
  netMs: number;
  samples: Float32Array;
}

export interface Scene {
  index: number;
  mics: Mic[];
  /** The copy with the highest SNR (the truth of the eval). */
  truth: string;
  /** SNR gap between the best two copies (dB). */
  gap: number;
}

/** Scenes in the eval's order; the random sequence must not change, or seeds stop meaning the same scenes. */
export function sceneGenerator(seed: number): () => Scene {
  const random = seededRandom(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const files = librispeechTrainFiles();
  const cache = new Map<string, Float32Array>();
  const clip = (path: string) => {
    let x = cache.get(path);
    if (!x) cache.set(path, (x = decodeFlac(path)));
    return x;
  };

  function noise(kind: Noise, n: number, noiseSeed: number): Float32Array {
    const r = seededRandom(noiseSeed);
    const out = new Float32Array(n);
    if (kind === 'white') for (let i = 0; i < n; i++) out[i] = gaussian(r);
    else if (kind === 'pink') {
      out.set(pinkFilter(Float64Array.from({ length: n }, () => gaussian(r))));
    } else if (kind === 'brown') {
      let v = 0;
      for (let i = 0; i < n; i++) out[i] = v = 0.995 * v + 0.1 * gaussian(r);
    } else if (kind === 'hum') {
      const f0 = r() < 0.5 ? 50 : 60;
      const phases = [0, 1, 2, 3, 4].map(() => r() * 2 * Math.PI);
      for (let i = 0; i < n; i++) {
        let s = 0.05 * gaussian(r);
        for (let h = 1; h <= 5; h++) s += Math.sin((2 * Math.PI * f0 * h * i) / SR + phases[h - 1]!) / h;
        out[i] = s;
      }
    } else if (kind === 'fan') {
      let lp = 0;
      for (let i = 0; i < n; i++) {
        lp += 0.12 * (gaussian(r) - lp);
        out[i] = lp + 0.2 * Math.sin((2 * Math.PI * 120 * i) / SR);
      }
    } else {
      // babble: three other speakers, random offsets
      for (let k = 0; k < 3; k++) {
        const other = clip(files[Math.floor(r() * files.length)]!);
        const off = Math.floor(r() * Math.max(1, other.length - n));
        for (let i = 0; i < n; i++) out[i] = out[i]! + (other[(off + i) % other.length] ?? 0);
      }
    }
    return out;
  }

  function makeMic(name: string, speech: Float32Array, noiseSeed: number): Mic {
    const gain = uniform(0.15, 1.5);
    const snrDb = uniform(-5, 25);
    const kind = pick(NOISES);
    const acousticMs = uniform(0, 30);
    const leadS = uniform(0.1, 0.5);
    const tailS = uniform(0.1, 0.5);
    const lead = Math.round((leadS + acousticMs / 1000) * SR);
    const n = lead + speech.length + Math.round(tailS * SR);
    const nz = noise(kind, n, noiseSeed);
    const speechPower = power(speech) * gain * gain;
    const scale = Math.sqrt(speechPower / 10 ** (snrDb / 10) / Math.max(power(nz), 1e-12));
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = i >= lead && i < lead + speech.length ? speech[i - lead]! * gain : 0;
      samples[i] = Math.max(-1, Math.min(1, s + scale * nz[i]!));
    }
    return {
      name,
      gain,
      snrDb,
      noise: kind,
      acousticMs,
      leadS,
      tailS,
      skewMs: uniform(-3000, 3000),
      netMs: uniform(0, 300),
      samples,
    };
  }

  let index = 0;
  return () => {
    const s = index++;
    const file = files[Math.floor(random() * files.length)]!;
    const full = clip(file);
    const from = Math.floor(uniform(0.5, Math.max(0.6, full.length / SR - 3.2)) * SR);
    const speech = full.slice(from, from + Math.round(2.5 * SR));
    const count = 2 + Math.floor(random() * 3);
    const mics = Array.from({ length: count }, (_, k) =>
      makeMic(`mic${k}`, speech, seed * 1000 + s * 10 + k),
    );
    const bySnr = [...mics].sort((a, b) => b.snrDb - a.snrDb);
    return { index: s, mics, truth: bySnr[0]!.name, gap: bySnr[0]!.snrDb - bySnr[1]!.snrDb };
  };
}
