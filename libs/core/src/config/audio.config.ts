import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EnvReader } from './env-reader.js';

/** Audio limits and tuning (libs/audio). */
export interface AudioConfigValues {
  /** Longest accepted clip, seconds (AUDIO_MAX_SECONDS). */
  maxSeconds: number;
  /** Largest accepted upload, bytes (AUDIO_MAX_BYTES). */
  maxBytes: number;
  /** Speaker model to use: a manifest name, or `auto` (highest-priority model present). */
  speakerModel: string;
  /** `auto` (GTCRN when its file is present, else spectral gating) or `spectral-gate`. */
  denoiser: 'auto' | 'spectral-gate';
  /**
   * Worker threads that run quality, noise reduction, VAD and speaker embedding off the event loop, each with its
   * own engines (AUDIO_WORKERS). Default 0 (the main thread's engines): a thread pays only with a core of its own
   * (on 2 idle cores one thread brought ingest p95 at 48 devices from 0.3-0.4 s to 0.1-0.2 s; on cores other work
   * keeps busy it slowed the event loop: BENCHMARKS.md, Streams). Each thread's engines cost ~55-60 MB.
   */
  workers: number;
  vad: {
    threshold: number;
    negThreshold: number;
    minSpeechMs: number;
    minSilenceMs: number;
    speechPadMs: number;
  };
}

export interface AudioSectionValues {
  /** Where the model files named in models/manifest.json are kept (`npm run models:fetch` fills it). */
  modelDir: string;
  audio: AudioConfigValues;
}

export function parseAudioConfig(env: EnvReader): AudioSectionValues {
  const { str, int, num, oneOf, problems } = env;
  const audio: AudioConfigValues = {
    maxSeconds: int('AUDIO_MAX_SECONDS', 60, 1, 3600),
    maxBytes: int('AUDIO_MAX_BYTES', 10 * 1_048_576, 1024, 500 * 1_048_576),
    speakerModel: str('SPEAKER_MODEL') ?? 'auto',
    denoiser: oneOf<'auto' | 'spectral-gate'>('AUDIO_DENOISER', ['auto', 'spectral-gate'], 'auto'),
    workers: int('AUDIO_WORKERS', 0, 0, 16),
    vad: {
      threshold: num('VAD_THRESHOLD', 0.5, 0.01, 0.99),
      negThreshold: num('VAD_NEG_THRESHOLD', 0.35, 0.01, 0.99),
      minSpeechMs: int('VAD_MIN_SPEECH_MS', 250, 0, 10_000),
      minSilenceMs: int('VAD_MIN_SILENCE_MS', 300, 0, 10_000),
      speechPadMs: int('VAD_SPEECH_PAD_MS', 100, 0, 2_000),
    },
  };
  if (audio.vad.negThreshold >= audio.vad.threshold) {
    problems.push('VAD_NEG_THRESHOLD must be lower than VAD_THRESHOLD');
  }
  return {
    modelDir: resolve(str('MODEL_DIR') ?? join(homedir(), '.cache', 'mira', 'models')),
    audio,
  };
}
