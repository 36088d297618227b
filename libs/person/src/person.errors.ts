import { AppError } from '@mira/core';

export const PersonErrors = {
  /** Also the answer for another network's person: ids cannot be probed. */
  notFound: (field?: string) =>
    new AppError(
      'PERSON_NOT_FOUND',
      field ? `Person not found in network (${field})` : 'Person not found in network',
      404,
    ),
  mergeIntoItself: () =>
    new AppError('PERSON_MERGE_SELF', 'A person cannot be merged into itself', 422, {
      fields: [{ field: 'source_person_id', messages: ['must differ from the target person_id'] }],
    }),
};
