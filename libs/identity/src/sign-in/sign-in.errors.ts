import { AppError } from '@mira/core';

/** What can go wrong when signing in with a provider (docs/sign-in.md lists them). */
export const SignInErrors = {
  notConfigured: (provider: string, what = 'sign-in') =>
    new AppError('SIGN_IN_NOT_CONFIGURED', `${provider} ${what} is not configured on this server`, 404),
  redirectPortNotAllowed: (port: number) =>
    new AppError(
      'REDIRECT_PORT_NOT_ALLOWED',
      `redirect_port ${port} is not one of the ports this server allows (OAUTH_REDIRECT_PORTS)`,
      422,
      { fields: [{ field: 'redirect_port', messages: ['not an allowed loopback port'] }] },
    ),
  spaOriginNotAllowed: () =>
    new AppError(
      'SPA_ORIGIN_NOT_ALLOWED',
      'spa_origin is not an origin this server returns sign-ins to (OAUTH_SPA_ORIGINS)',
      400,
    ),
  invalidState: () =>
    new AppError(
      'INVALID_SIGN_IN_STATE',
      'Unknown, used or expired sign-in state: start the sign-in again',
      400,
    ),
  invalidGrant: () =>
    new AppError(
      'INVALID_SIGN_IN_CODE',
      'Unknown, used or expired sign-in code: start the sign-in again',
      400,
    ),
  rejected: (reason: string) =>
    new AppError('SIGN_IN_REJECTED', `The provider's answer was refused: ${reason}`, 401),
  emailNotVerified: (provider: string) =>
    new AppError(
      'EMAIL_NOT_VERIFIED',
      `${provider} did not confirm a verified e-mail address for this account; verify it there and sign in again`,
      403,
    ),
  accountDisabled: () => new AppError('ACCOUNT_DISABLED', 'This account is disabled', 403),
  providerFailed: (provider: string, reason: string) =>
    new AppError(
      'SIGN_IN_PROVIDER_FAILED',
      `${provider} could not be reached or answered wrongly (${reason})`,
      502,
    ),
};
