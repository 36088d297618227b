import { AppError } from '@mira/core';

export const MemoryErrors = {
  notFound: () => new AppError('MEMORY_NOT_FOUND', 'Memory not found', 404),
};
