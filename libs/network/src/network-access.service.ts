import { Injectable } from '@nestjs/common';
import {
  AccessCache,
  AppLogger,
  NetworkAccessPort,
  Principal,
  type SignInSession,
  TokenService,
  type UserAccess,
} from '@mira/core';
import { UsersService } from '@mira/identity';
import { NetworkRepository } from './network.repository.js';

const TOUCH_INTERVAL_MS = 30_000;
/** The name of the network an account gets on first use of the account door (renamable like any network). */
const ACCOUNT_NETWORK_NAME = 'My assistant';

/** Answers the access guard's questions from the networks and clients tables. */
@Injectable()
export class NetworkAccessService extends NetworkAccessPort {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly repository: NetworkRepository,
    private readonly users: UsersService,
    private readonly logger: AppLogger,
    private readonly cache: AccessCache,
  ) {
    super();
  }

  /** From the access cache when it holds the token (see AccessCache), otherwise one query whose device is kept. */
  async resolveClientToken(token: string): Promise<Extract<Principal, { kind: 'client' }> | null> {
    const tokenHash = TokenService.hashOpaqueToken(token);
    let principal = this.cache.client(tokenHash);
    if (principal === undefined) {
      const stamp = this.cache.stamp();
      const client = await this.repository.findClientByTokenHash(tokenHash);
      if (!client || client.revokedAt) return null;
      principal = {
        kind: 'client',
        clientRowId: client.id,
        clientId: client.clientId,
        networkId: client.networkId,
      };
      this.cache.rememberClient(stamp, tokenHash, principal);
    }
    const now = Date.now();
    // last_seen_at is informative; write it at most every 30 s per client instead of on every chunk.
    if (now - (this.lastTouched.get(principal.clientRowId) ?? 0) > TOUCH_INTERVAL_MS) {
      this.lastTouched.set(principal.clientRowId, now);
      await this.repository.touchClient(principal.networkId, principal.clientRowId, new Date(now));
    }
    return principal;
  }

  userOwnsNetwork(userId: string, networkId: string): Promise<boolean> {
    return this.repository.ownsNetwork(userId, networkId);
  }

  async accountNetwork(userId: string, requested: string | null): Promise<string | null> {
    if (requested !== null) return (await this.repository.ownsNetwork(userId, requested)) ? requested : null;
    const oldest = await this.repository.oldestOwned(userId);
    if (oldest) return oldest.id;
    const created = await this.repository.oldestOwnedOrCreate(userId, ACCOUNT_NETWORK_NAME);
    this.logger.info('account_network_created', { network_id: created.id });
    return created.id;
  }

  sessionIsLive(userId: string, sessionId: string): Promise<boolean> {
    return this.users.sessionIsLive(userId, sessionId);
  }

  /** From the access cache when it allows it (see AccessCache), at once; otherwise one query whose yes is kept. */
  userAccess(userId: string, sessionId: string, networkId: string): UserAccess | Promise<UserAccess> {
    if (this.cache.allows(userId, sessionId, networkId)) return { live: true, ownsNetwork: true };
    return this.lookUpUserAccess(userId, sessionId, networkId);
  }

  private async lookUpUserAccess(userId: string, sessionId: string, networkId: string): Promise<UserAccess> {
    const stamp = this.cache.stamp();
    const { live, ownsNetwork, liveUntil } = await this.repository.userAccess(userId, sessionId, networkId);
    if (live && ownsNetwork && liveUntil !== null)
      this.cache.remember(stamp, userId, sessionId, networkId, liveUntil);
    return { live, ownsNetwork };
  }

  liveSessions(sessions: readonly SignInSession[]): Promise<Set<string>> {
    return this.users.liveSessions(sessions);
  }
}
