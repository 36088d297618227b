import { AppError } from '@mira/core';

export const PersonErrors = {
  /** Also the answer for another network's person: ids cannot be probed. */
  notFound: (field?: string) =>
    new AppError(
      'PERSON_NOT_FOUND',
      field ? `Person not found in network (${field})` : 'Person not found in network',
      404,
    ),
};
