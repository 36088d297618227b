import { AppError } from '@mira/core';

/** Recording refusals (audio ones come from AudioErrors: AUDIO_TOO_LARGE, AUDIO_TOO_LONG, AUDIO_UNDECODABLE, …). */
export const RecordingErrors = {
  notFound: () => new AppError('RECORDING_NOT_FOUND', 'Recording not found in network', 404),
  finished: (status: string) =>
    new AppError('RECORDING_FINISHED', `The recording is already ${status}; there is nothing to cancel`, 409),
};
