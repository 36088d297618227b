import type { EnvReader } from './env-reader.js';

/** Multi-microphone ingestion and arbitration (docs/streams.md). */
export interface StreamsConfig {
  /** How long after a chunk's (aligned) end the decision waits for other microphones' copies. */
  arbitrationWindowMs: number;
  /** Score points (0–100 scale) a challenger must beat the floor holder by while the same talk continues. */
  hysteresisMargin: number;
  /** A gap of silence longer than this ends the talk: the next utterance is decided without hysteresis. */
  floorHoldMs: number;
  /** A stream with no chunk for this long is inactive and loses the floor. */
  inactiveAfterMs: number;
  /** Longest accepted chunk. */
  maxChunkSeconds: number;
  /** A sound whose best-ranked copy has a VAD speech ratio below this (0–1) is not forwarded (no copy of it is). */
  minSpeechRatio: number;
  /** Phone location/RSSI older than this no longer affect a score. */
  phoneSignalTtlMs: number;
  /** How fast the per-stream clock-offset estimate may rise (clock drift allowance, parts per million). */
  clockDriftPpm: number;
}

export interface StreamsConfigValues {
  streams: StreamsConfig;
}

export function parseStreamsConfig(env: EnvReader): StreamsConfigValues {
  const { int } = env;
  return {
    streams: {
      arbitrationWindowMs: int('STREAM_ARBITRATION_WINDOW_MS', 800, 50, 10_000),
      hysteresisMargin: int('STREAM_HYSTERESIS_MARGIN', 5, 0, 100),
      floorHoldMs: int('STREAM_FLOOR_HOLD_MS', 1500, 0, 60_000),
      inactiveAfterMs: int('STREAM_INACTIVE_AFTER_MS', 15_000, 200, 3_600_000),
      maxChunkSeconds: int('STREAM_MAX_CHUNK_SECONDS', 30, 1, 600),
      minSpeechRatio: int('STREAM_MIN_SPEECH_PERCENT', 5, 0, 100) / 100,
      phoneSignalTtlMs: int('STREAM_PHONE_SIGNAL_TTL_MS', 300_000, 1000, 86_400_000),
      clockDriftPpm: int('STREAM_CLOCK_DRIFT_PPM', 1000, 0, 100_000),
    },
  };
}
