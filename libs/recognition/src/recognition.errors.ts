import { AppError } from '@mira/core';

/**
 * Enrolment refusals (422 unless noted):
 * - VOICE_SAMPLE_NO_SPEECH           the sample holds no speech at all (silence or noise only)
 * - VOICE_SAMPLE_TOO_LITTLE_SPEECH   less VAD speech than ENROLMENT_MIN_SPEECH_SECONDS (default 1.5 s)
 * - VOICE_SAMPLE_CLIPPED             too many samples at full scale (the embedding would be distorted)
 * - VOICE_SAMPLE_NOT_FOUND      404  no such sample for this person in this network
 * - SPEAKER_MODEL_UNAVAILABLE   503  the server has no speaker model loaded
 */
export const RecognitionErrors = {
  noSpeech: () =>
    new AppError(
      'VOICE_SAMPLE_NO_SPEECH',
      'No speech was found in the sample (silence or noise only); record the person speaking',
      422,
      { fields: [{ field: 'audio_file', messages: ['contains no speech'] }] },
    ),
  tooLittleSpeech: (seconds: number, minSeconds: number) =>
    new AppError(
      'VOICE_SAMPLE_TOO_LITTLE_SPEECH',
      `The sample holds ${seconds.toFixed(2)} s of speech; at least ${minSeconds} s is needed`,
      422,
      { fields: [{ field: 'audio_file', messages: [`at least ${minSeconds} s of speech is needed`] }] },
    ),
  clipped: (ratio: number) =>
    new AppError(
      'VOICE_SAMPLE_CLIPPED',
      `The sample is clipped (${(ratio * 100).toFixed(2)}% of samples at full scale); record at a lower level`,
      422,
      { fields: [{ field: 'audio_file', messages: ['is clipped'] }] },
    ),
  sampleNotFound: () => new AppError('VOICE_SAMPLE_NOT_FOUND', 'Voice sample not found for this person', 404),
  modelUnavailable: () =>
    new AppError('SPEAKER_MODEL_UNAVAILABLE', 'No speaker model is loaded on this server', 503, {
      retryAfterSeconds: 60,
    }),
};
