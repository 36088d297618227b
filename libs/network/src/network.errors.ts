import { AppError, CommonErrors } from '@mira/core';

export const NetworkErrors = {
  networkNotFound: CommonErrors.networkNotFound,
  clientNotFound: (clientId: string) =>
    new AppError('CLIENT_NOT_FOUND', `Client ${clientId} not found in network`, 404),
  clientAlreadyRegistered: (clientId: string) =>
    new AppError(
      'CLIENT_ALREADY_REGISTERED',
      `Client ${clientId} is already registered; deregister it first to issue a new token`,
      409,
    ),
};
