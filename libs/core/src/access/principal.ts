/** Who is calling: a signed-in user, or a device registered in one network. */
export type Principal =
  | { kind: 'user'; userId: string }
  | { kind: 'client'; clientRowId: string; clientId: string; networkId: string };

/**
 * The access rule of a route. Every route declares one; the global guard denies routes that do not.
 * - public: anyone.
 * - user: any signed-in user (not a device token).
 * - network: a user who owns the route's {network_id}, or a client registered in it.
 * - network-owner: only a user who owns the route's {network_id}.
 */
export type AccessRule = 'public' | 'user' | 'network' | 'network-owner';

export function principalLabel(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `client:${principal.clientRowId}`;
}
