import { AppError } from '@mira/core';

export const IdentityErrors = {
  emailTaken: () =>
    new AppError('EMAIL_ALREADY_REGISTERED', 'An account with this e-mail already exists', 409),
  invalidCredentials: () => new AppError('INVALID_CREDENTIALS', 'Incorrect e-mail or password', 401),
  invalidRefreshToken: () => new AppError('INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token', 401),
  userNotFound: () => new AppError('USER_NOT_FOUND', 'User not found', 404),
};
