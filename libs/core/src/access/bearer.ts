import type { NetworkAccessPort, UserAccess } from './network-access.port.js';
import type { Principal } from './principal.js';
import { CLIENT_TOKEN_PREFIX, type TokenService } from './token.service.js';

export type BearerResult =
  { ok: true; principal: Principal; ownsNetwork?: boolean } | { ok: false; detail: string };

/**
 * Who a bearer token stands for: a device token (opaque, looked up by hash) or a user access token (a JWT of a
 * user who still exists and is active, issued for a sign-in session that is still open). One reading for HTTP
 * routes (AccessGuard) and sockets (libs/realtime). With `networkId`, a user token's result also says whether the
 * user owns that network (`ownsNetwork`), read in the same round trip as the user's state and session.
 * Answers at once, without a promise, when nothing needs a lookup: a user token refused by its signature or
 * expiry, or one whose access NetworkAccessPort.userAccess answers from the access cache (the access guard then
 * decides without waiting on a promise).
 */
export function resolveBearer(
  token: string,
  tokens: TokenService,
  networks: NetworkAccessPort,
  networkId?: string,
): BearerResult | Promise<BearerResult> {
  if (token.startsWith(CLIENT_TOKEN_PREFIX)) {
    return networks
      .resolveClientToken(token)
      .then((client): BearerResult =>
        client ? { ok: true, principal: client } : { ok: false, detail: 'Unknown or revoked client token' },
      );
  }
  const verified = tokens.verifyAccessToken(token);
  if (!verified.ok) {
    return {
      ok: false,
      detail: verified.reason === 'expired' ? 'Access token expired' : 'Invalid access token',
    };
  }
  const { sub: userId, sid: sessionId } = verified.claims;
  const principal: Principal = { kind: 'user', userId, sessionId };
  if (networkId === undefined) {
    return networks.sessionIsLive(userId, sessionId).then((live) => userBearer(principal, live, undefined));
  }
  const access = networks.userAccess(userId, sessionId, networkId);
  const answer = ({ live, ownsNetwork }: UserAccess) => userBearer(principal, live, ownsNetwork);
  return access instanceof Promise ? access.then(answer) : answer(access);
}

function userBearer(principal: Principal, live: boolean, ownsNetwork: boolean | undefined): BearerResult {
  if (!live)
    return { ok: false, detail: 'The session has ended (signed out or revoked), or the user is disabled' };
  return { ok: true, principal, ownsNetwork };
}
