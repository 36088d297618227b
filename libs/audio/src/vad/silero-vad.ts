import * as ort from 'onnxruntime-node';
import type { VoiceActivityDetector } from './vad.port.js';

const WINDOW = 512; // 32 ms at 16 kHz
const CONTEXT = 64;

/**
 * Silero VAD v5/v6 ONNX (`input f32[1,576]` = 64 context + 512 new samples, `state f32[2,1,128]`, `sr int64`) with
 * our own loop: recurrent state and context carried across frames, reset per clip.
 */
export class SileroVad implements VoiceActivityDetector {
  readonly name = 'silero-vad';
  readonly frameSamples = WINDOW;
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly session: ort.InferenceSession,
    readonly model: string,
  ) {}

  /** Runs are serialised: one clip at a time through the session (each run is a few hundred small calls). */
  probabilities(samples: Float32Array): Promise<Float32Array> {
    const run = this.queue.then(() => this.run(samples));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(samples: Float32Array): Promise<Float32Array> {
    const frames = Math.ceil(samples.length / WINDOW);
    const out = new Float32Array(frames);
    let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
    const input = new Float32Array(CONTEXT + WINDOW);
    for (let f = 0; f < frames; f++) {
      input.copyWithin(0, WINDOW, WINDOW + CONTEXT); // last 64 samples of the previous window become context
      const chunk = samples.subarray(f * WINDOW, Math.min(samples.length, (f + 1) * WINDOW));
      input.fill(0, CONTEXT);
      input.set(chunk, CONTEXT);
      const result = await this.session.run({
        input: new ort.Tensor('float32', input.slice(), [1, CONTEXT + WINDOW]),
        state,
        sr: this.sr,
      });
      out[f] = (result.output!.data as Float32Array)[0]!;
      state = result.stateN!;
    }
    return out;
  }
}

/**
 * Fallback when no Silero file can be found: per-frame energy against an adaptive noise floor, mapped to a pseudo
 * probability. Good at speech-versus-silence, poor at speech-versus-noise; reported as degraded in /health/detailed.
 */
export class EnergyVad implements VoiceActivityDetector {
  readonly name = 'energy-vad';
  readonly frameSamples = WINDOW;

  async probabilities(samples: Float32Array): Promise<Float32Array> {
    return energySpeechProbabilities(samples);
  }
}

/**
 * Per 32 ms frame (EnergyVad's frames), a pseudo speech probability from the frame's energy above the clip's noise
 * floor (its quietest tenth): 0 dB above the floor → ~0.05, 12 dB → 0.5, 24 dB → ~0.95; nothing below −55 dBFS
 * counts as speech. Synchronous and cheap (one pass and a sort of the frame energies).
 */
export function energySpeechProbabilities(samples: Float32Array): Float32Array {
  const frames = Math.ceil(samples.length / WINDOW);
  const energies = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    const end = Math.min(samples.length, (f + 1) * WINDOW);
    for (let i = f * WINDOW; i < end; i++) s += samples[i]! * samples[i]!;
    energies[f] = 10 * Math.log10(s / WINDOW + 1e-10);
  }
  const sorted = Array.from(energies).sort((a, b) => a - b);
  const floor = sorted[Math.floor(sorted.length * 0.1)] ?? -100;
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const above = energies[f]! - Math.max(floor, -70);
    out[f] = energies[f]! < -55 ? 0 : 1 / (1 + Math.exp(-(above - 12) / 4));
  }
  return out;
}

/** The frame length of energySpeechProbabilities, in samples. */
export const ENERGY_FRAME_SAMPLES = WINDOW;
