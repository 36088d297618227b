import { AppError } from '@mira/core';

export const InteractionErrors = {
  /** Also the answer for another network's interaction: ids cannot be probed. */
  notFound: () => new AppError('INTERACTION_NOT_FOUND', 'Interaction not found in network', 404),
};
