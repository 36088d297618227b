import { AppError } from '@mira/core';
import { SignInErrors } from './sign-in.errors.js';

/** oauth4webapi codes that say the provider (or the way to it) is broken, not that its answer failed a check. */
const PROVIDER_BROKEN = new Set([
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_HTTP_REQUEST_FORBIDDEN',
  'OAUTH_REQUEST_PROTOCOL_FORBIDDEN',
  'OAUTH_MISSING_SERVER_METADATA',
  'OAUTH_INVALID_SERVER_METADATA',
  'OAUTH_PARSE_ERROR',
  'OAUTH_UNSUPPORTED_OPERATION',
]);

/**
 * A provider call that failed, as one of our errors: the provider refusing the code, or Mira refusing the provider's
 * answer (a token that fails a check: issuer, audience, signature, expiry, nonce, state), is a 401
 * SIGN_IN_REJECTED; the provider being unreachable or answering nonsense is a 502 SIGN_IN_PROVIDER_FAILED. The
 * reason never carries a token.
 */
export function providerFailure(provider: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const oauthError = (err as { error?: unknown }).error;
  if (typeof oauthError === 'string')
    return SignInErrors.rejected(`${provider}: ${oauthError.slice(0, 100)}`);
  if (typeof code === 'string' && code.startsWith('OAUTH_') && !PROVIDER_BROKEN.has(code)) {
    return SignInErrors.rejected(`${provider}: ${message.slice(0, 200)}`);
  }
  const cause = (err as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `${message}: ${cause.message}` : message;
  return SignInErrors.providerFailed(provider, detail.slice(0, 200));
}
