import { AppError } from '@mira/core';

export const ActionErrors = {
  notFound: () => new AppError('ACTION_NOT_FOUND', 'Action not found in network', 404),
  nothingToInfer: () =>
    new AppError(
      'INTERACTION_NOT_TRANSCRIBED',
      'The interaction has no text yet (untranscribed or still processing); inference needs text',
      409,
    ),
};
