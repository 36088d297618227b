import { AppError } from '@mira/core/util';

/**
 * Audio refusals. All are 4xx and documented in docs/audio.md:
 * - AUDIO_FILE_MISSING   422  multipart field absent (names the field in `fields`)
 * - AUDIO_EMPTY          422  zero bytes, or a container holding no samples
 * - AUDIO_ODD_LENGTH_PCM 422  headerless PCM16 with an odd number of bytes
 * - AUDIO_UNDECODABLE    415  not a supported format, or a corrupt file of a supported one
 * - AUDIO_TOO_LARGE      413  more bytes than AUDIO_MAX_BYTES
 * - AUDIO_TOO_LONG       413  longer than AUDIO_MAX_SECONDS
 * - AUDIO_TOO_SHORT      422  too little audio for a voice embedding (< 0.5 s)
 * - AUDIO_MODEL_UNAVAILABLE 503  no speaker model could be loaded on this server
 */
export const AudioErrors = {
  fileMissing: (field: string) =>
    new AppError('AUDIO_FILE_MISSING', `Multipart field "${field}" with the audio file is required`, 422, {
      fields: [{ field, messages: [`${field} is required (multipart file)`] }],
    }),
  empty: (detail = 'The audio is empty') => new AppError('AUDIO_EMPTY', detail, 422),
  oddLengthPcm: (bytes: number) =>
    new AppError(
      'AUDIO_ODD_LENGTH_PCM',
      `Headerless audio is read as PCM16LE mono 16 kHz, which needs an even byte count (got ${bytes})`,
      422,
    ),
  undecodable: (detail: string) => new AppError('AUDIO_UNDECODABLE', detail, 415),
  tooLarge: (bytes: number, maxBytes: number) =>
    new AppError('AUDIO_TOO_LARGE', `The audio is ${bytes} bytes; the limit is ${maxBytes} bytes`, 413),
  /** `stoppedEarly`: decoding stopped at the limit, so the audio lasts at least `seconds`. */
  tooLong: (seconds: number, maxSeconds: number, stoppedEarly = false) =>
    new AppError(
      'AUDIO_TOO_LONG',
      stoppedEarly
        ? `The audio lasts more than ${seconds.toFixed(2)} s (decoding stopped there); the limit is ${maxSeconds} s`
        : `The audio lasts ${seconds.toFixed(2)} s; the limit is ${maxSeconds} s`,
      413,
    ),
  tooShort: (seconds: number, minSeconds: number) =>
    new AppError(
      'AUDIO_TOO_SHORT',
      `The audio lasts ${seconds.toFixed(2)} s; at least ${minSeconds} s is needed`,
      422,
    ),
  modelUnavailable: (what: string) =>
    new AppError('AUDIO_MODEL_UNAVAILABLE', `${what} is not available on this server`, 503, {
      retryAfterSeconds: 60,
    }),
};
