import type { Principal } from './principal.js';

/**
 * What the access guard needs from the network domain, without core depending on it.
 * NetworkModule provides the implementation.
 */
export abstract class NetworkAccessPort {
  /** The client principal behind an opaque client token, or null if unknown or revoked. */
  abstract resolveClientToken(token: string): Promise<Extract<Principal, { kind: 'client' }> | null>;
  /** Whether this user may act on this network (owns it). False for unknown networks. */
  abstract userOwnsNetwork(userId: string, networkId: string): Promise<boolean>;
  /**
   * The network a user token speaks for at the account door: `requested` when the user owns it (null when not),
   * otherwise the oldest network the user owns, created when the user owns none.
   */
  abstract accountNetwork(userId: string, requested: string | null): Promise<string | null>;
  /**
   * Whether the user behind an access token still exists and is active, and the sign-in session it was issued for
   * (its refresh-token family) is still open: not signed out, not revoked after a refresh-token replay, not expired.
   */
  abstract sessionIsLive(userId: string, sessionId: string): Promise<boolean>;
  /**
   * Both questions a user token on a network route asks, answered by one database round trip (this runs on
   * every such request): whether the user's session is live (as sessionIsLive), and whether they own the network.
   * Answered at once, without a promise, when the access cache holds that the session is live and owns it.
   */
  abstract userAccess(userId: string, sessionId: string, networkId: string): UserAccess | Promise<UserAccess>;
  /** Of these sign-in sessions, the ids of the ones still live (sessionIsLive for many at once, in one query). */
  abstract liveSessions(sessions: readonly SignInSession[]): Promise<Set<string>>;
}

/** What NetworkAccessPort.userAccess answers. */
export interface UserAccess {
  live: boolean;
  ownsNetwork: boolean;
}

/** A user's sign-in session: the refresh-token family an access token was issued for (claim `sid`). */
export interface SignInSession {
  userId: string;
  sessionId: string;
}
