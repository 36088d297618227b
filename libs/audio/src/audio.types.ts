/** Every stage works on mono float32 samples at this rate. */
export const SAMPLE_RATE = 16000;

export type AudioFormat = 'wav' | 'pcm16' | 'flac' | 'mp3' | 'ogg' | 'webm';

export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: 16000;
  durationSeconds: number;
  format: AudioFormat;
  originalSampleRate: number;
  channels: number;
}

/** See quality/quality-score.ts for the formula (also in docs/audio.md). */
export interface QualityReport {
  /** 0–100, higher is better. */
  score: number;
  snr_db: number;
  /** 0–100 speech-band clarity. */
  clarity: number;
  /** Root mean square of the whole clip, linear full scale (0–1). */
  rms: number;
  /** Fraction of samples at or above full scale. */
  clipping_ratio: number;
  /** Fraction of VAD frames judged to be speech. */
  speech_ratio: number;
}

/** Seconds from the start of the clip. */
export interface SpeechSegment {
  start: number;
  end: number;
}

export interface VoiceEmbedding {
  /** L2-normalised. */
  vector: Float32Array;
  modelId: string;
  dimension: number;
  /** True when the model is a weak baseline (see docs/audio.md). */
  weak: boolean;
}

export interface EngineStatus {
  engine: string;
  model?: string;
  status: 'healthy' | 'degraded';
  detail?: string;
}

/** The audio an enrolment sample is made of, before any speaker model (AudioPipeline.enrolmentSpeech). */
export interface EnrolmentSpeech {
  /** VAD speech of the clip after the denoiser. */
  speech: Float32Array;
  speechSeconds: number;
  /** The VAD speech of the clip mixed with each enrolment noise (white, pink, babble) and denoised. */
  inNoise: Float32Array[];
}

/** One voiceprint sample as enrolment makes it (AudioPipeline.enrolmentSample). */
export interface EnrolmentSample {
  /** VAD speech of the clip after the denoiser. */
  speechSeconds: number;
  /** That speech embedded; null when it is shorter than an embedding needs. */
  voice: VoiceEmbedding | null;
  /** The clip heard in noise (embedInNoise); null without a voice or when no noisy copy keeps enough speech. */
  inNoise: VoiceEmbedding | null;
}

export interface SpeechExtract {
  /** The denoised clip. */
  denoised: Float32Array;
  /** Only the VAD speech of the denoised clip, segments concatenated. */
  speech: Float32Array;
  speechSeconds: number;
}
