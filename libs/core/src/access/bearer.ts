import type { NetworkAccessPort } from './network-access.port.js';
import type { Principal } from './principal.js';
import { CLIENT_TOKEN_PREFIX, type TokenService } from './token.service.js';

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
  if (!verified.ok) {
    return {
      ok: false,
      detail: verified.reason === 'expired' ? 'Access token expired' : 'Invalid access token',
    };
  }
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
