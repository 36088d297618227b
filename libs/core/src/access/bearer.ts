import type { NetworkAccessPort } from './network-access.port.js';
import type { Principal } from './principal.js';
import { CLIENT_TOKEN_PREFIX, type TokenService, type VerifyResult } from './token.service.js';

export type BearerResult =
  { ok: true; principal: Principal; ownsNetwork?: boolean } | { ok: false; detail: string };

/**
 * Who a bearer token stands for: a device token (opaque, looked up by hash) or a user access token (a JWT of a
 * user who still exists and is active, issued for a sign-in session that is still open). One reading for HTTP
 * routes (AccessGuard) and sockets (libs/realtime). With `networkId`, a user token's result also says whether the
 * user owns that network (`ownsNetwork`), read in the same round trip as the user's state and session.
 */
export async function resolveBearer(
  token: string,
  tokens: TokenService,
  networks: NetworkAccessPort,
  networkId?: string,
): Promise<BearerResult> {
  if (token.startsWith(CLIENT_TOKEN_PREFIX)) {
    const client = await networks.resolveClientToken(token);
    return client
      ? { ok: true, principal: client }
      : { ok: false, detail: 'Unknown or revoked client token' };
  }
  const verified = tokens.verifyAccessToken(token);
  if (!verified.ok) return refusalOf(verified);
  const { sub: userId, sid: sessionId } = verified.claims;
  const access =
    networkId === undefined
      ? { live: await networks.sessionIsLive(userId, sessionId), ownsNetwork: undefined }
      : await networks.userAccess(userId, sessionId, networkId);
  if (!access.live) {
    return { ok: false, detail: 'The session has ended (signed out or revoked), or the user is disabled' };
  }
  return { ok: true, principal: { kind: 'user', userId, sessionId }, ownsNetwork: access.ownsNetwork };
}

/**
 * resolveBearer's answer for a user token on a network route when no lookup is needed: the token is refused by its
 * signature or expiry, or the access cache holds that its session is live and owns the network. Undefined when only
 * resolveBearer can tell (a device token, a lookup). The access guard then decides without waiting on a promise.
 */
export function knownBearer(
  token: string,
  tokens: TokenService,
  networks: NetworkAccessPort,
  networkId: string,
): BearerResult | undefined {
  if (token.startsWith(CLIENT_TOKEN_PREFIX)) return undefined;
  const verified = tokens.verifyAccessToken(token);
  if (!verified.ok) return refusalOf(verified);
  const { sub: userId, sid: sessionId } = verified.claims;
  if (!networks.knownUserAccess(userId, sessionId, networkId)) return undefined;
  return { ok: true, principal: { kind: 'user', userId, sessionId }, ownsNetwork: true };
}

function refusalOf(verified: Extract<VerifyResult, { ok: false }>): BearerResult {
  return {
    ok: false,
    detail: verified.reason === 'expired' ? 'Access token expired' : 'Invalid access token',
  };
}
