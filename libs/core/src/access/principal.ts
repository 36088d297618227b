/** Who is calling: a signed-in user (and the sign-in session the token was issued for), or a device of one network. */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string }
  | { kind: 'client'; clientRowId: string; clientId: string; networkId: string };

/**
 * The access rule of a route. Every route declares one; the global guard denies routes that do not.
 * - public: anyone.
 * - user: any signed-in user (not a device token).
 * - network: a user who owns the route's {network_id}, or a client registered in it.
 * - network-owner: only a user who owns the route's {network_id}.
 * - account: the account door (routes without {network_id}, as the shipped apps call them). A user token speaks for
 *   its account's network (the one named by an `X-Network-Id` header if the user owns it, else the oldest network
 *   the user owns, created on first use); a device token speaks for its own network.
 * - account-owner: as account, for a user token only (what network-owner is to network).
 * - operator: the operator token (METRICS_TOKEN) as a bearer; without one configured, anyone when
 *   OPS_ENDPOINTS_PUBLIC is on (the default outside production), else the route answers 404 (metrics, detailed
 *   health: model paths, engine and language-model settings are not for the public).
 */
export type AccessRule =
  'public' | 'user' | 'network' | 'network-owner' | 'account' | 'account-owner' | 'operator';

/** The header a user who owns several networks sends to choose one at the account door. */
export const NETWORK_ID_HEADER = 'X-Network-Id';

export function principalLabel(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `client:${principal.clientRowId}`;
}
