import type { EnvReader } from './env-reader.js';

/** Long uploads processed in the background (libs/recording; docs/recordings.md). */
export interface RecordingsConfigValues {
  recordings: {
    /** Longest recording accepted, seconds (a longer one fails with AUDIO_TOO_LONG). */
    maxSeconds: number;
    /** Largest upload accepted, bytes (413 beyond, the upload stops there). */
    maxBytes: number;
  };
}

export function parseRecordingsConfig(env: EnvReader): RecordingsConfigValues {
  const { int } = env;
  return {
    recordings: {
      maxSeconds: int('RECORDINGS_MAX_SECONDS', 7200, 1, 86_400),
      maxBytes: int('RECORDINGS_MAX_BYTES', 512 * 1_048_576, 1024, 4096 * 1_048_576),
    },
  };
}
