import { LruCache } from '../util/lru-cache.js';
import type { Principal } from './principal.js';

/**
 * The channel the database's access triggers notify (migrations access-change-notices, device-and-service-notices):
 * `u:<user id>`, `n:<network id>`.
 */
export const ACCESS_CHANNEL = 'mira_access';

/** At most this many answers are kept; the least recently used goes first. */
const MAX_ENTRIES = 10_000;

/** How the cache hears the access-change notices of every instance (PostgresRealtimeBus's LISTEN connection). */
export interface AccessChangeFeed {
  /** Whether the channel is heard right now. */
  hears(channel: string): boolean;
  /** Changes whenever the channel starts being heard again (what was sent in between was not heard). */
  readonly connection: number;
  listenChannel(channel: string, handler: (payload: string) => void): void;
}

interface Entry {
  /** The user the answer is about (null: a device or a network's switch, dropped by network only). */
  userId: string | null;
  networkId: string;
  expiresAt: number;
  value: unknown;
}

/** A device token's principal, as the cache keeps it. */
export type CachedClient = Extract<Principal, { kind: 'client' }>;

/**
 * Remembers, for a few seconds, answers every request would otherwise read from the database: that a user's sign-in
 * session was live and that they owned a network (a request on a network route then needs no access query of its
 * own), which device a device token stands for, and whether a network's service is switched on. Of the access and
 * token questions only the positive answer is kept (a refusal is asked again).
 *
 * An answer is dropped before its life ends when it may have changed: on every instance at once through the
 * notices the database's triggers send (a user deactivated or deleted, a session's refresh tokens revoked, a network
 * deleted, given another owner or switched on or off, a device revoked, renamed or deleted), and right away on the
 * instance that made the change (`forgetUser`, `forgetNetwork`). It fails closed: while the channel is not heard
 * nothing is served from the cache, and everything kept before is dropped when it is heard again. An answer read
 * from the database while a notice arrived is not kept (`stamp` before the query, then `remember…`). Without a feed
 * (the embedded database) or with a life of 0 nothing is ever kept.
 */
export class AccessCache {
  private readonly entries = new LruCache<string, Entry>(MAX_ENTRIES);
  private generation = 0;
  private connection = -1;

  constructor(
    private readonly feed: AccessChangeFeed | null,
    private readonly lifeMs: number,
  ) {
    if (this.enabled) feed?.listenChannel(ACCESS_CHANNEL, (payload) => this.onNotice(payload));
  }

  get enabled(): boolean {
    return this.feed !== null && this.lifeMs > 0;
  }

  /** Answers kept right now (0 while the channel is not heard). */
  get size(): number {
    return this.usable() ? this.entries.size : 0;
  }

  /** Whether this session was found live, and its user owning this network, within the configured life. */
  allows(userId: string, sessionId: string, networkId: string): boolean {
    return this.get(`u ${userId} ${sessionId} ${networkId}`) !== undefined;
  }

  /** The device a device token (by its hash) was found to stand for, unrevoked, within the configured life. */
  client(tokenHash: string): CachedClient | undefined {
    return this.get(`c ${tokenHash}`) as CachedClient | undefined;
  }

  /** Whether the network's service was found switched on, within the configured life (undefined: not kept). */
  serviceEnabled(networkId: string): boolean | undefined {
    return this.get(`s ${networkId}`) as boolean | undefined;
  }

  /** Taken before the database query; `remember…` keeps its answer only if nothing was dropped in between. */
  stamp(): number {
    this.usable();
    return this.generation;
  }

  /**
   * Keeps a positive access answer read after `stamp`, for the configured life or until `liveUntil` (when the
   * session's last refresh token expires), whichever comes first.
   */
  remember(stamp: number, userId: string, sessionId: string, networkId: string, liveUntil: Date): void {
    this.keep(stamp, `u ${userId} ${sessionId} ${networkId}`, userId, networkId, true, liveUntil.getTime());
  }

  /** Keeps the device a token (by its hash) stands for, read after `stamp` (an active device only). */
  rememberClient(stamp: number, tokenHash: string, client: CachedClient): void {
    this.keep(stamp, `c ${tokenHash}`, null, client.networkId, Object.freeze({ ...client }));
  }

  /** Keeps a network's service switch read after `stamp`. */
  rememberServiceEnabled(stamp: number, networkId: string, enabled: boolean): void {
    this.keep(stamp, `s ${networkId}`, null, networkId, enabled);
  }

  /** Drops every answer about this user (signed out, sessions revoked, deleted). */
  forgetUser(userId: string): void {
    this.generation += 1;
    this.entries.deleteWhere((entry) => entry.userId === userId);
  }

  /** Drops every answer about this network (deleted, another owner, switched, a device revoked or renamed). */
  forgetNetwork(networkId: string): void {
    this.generation += 1;
    this.entries.deleteWhere((entry) => entry.networkId === networkId);
  }

  private get(key: string): unknown {
    if (!this.usable()) return undefined;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  private keep(
    stamp: number,
    key: string,
    userId: string | null,
    networkId: string,
    value: unknown,
    liveUntilMs = Number.POSITIVE_INFINITY,
  ): void {
    if (!this.usable() || stamp !== this.generation) return;
    const expiresAt = Math.min(Date.now() + this.lifeMs, liveUntilMs);
    this.entries.set(key, { userId, networkId, expiresAt, value });
  }

  private forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private onNotice(payload: string): void {
    const id = payload.slice(2).toLowerCase();
    if (payload.startsWith('u:')) this.forgetUser(id);
    else if (payload.startsWith('n:')) this.forgetNetwork(id);
    else this.forgetAll(); // a notice this version does not know: whatever it meant, nothing kept survives it
  }

  /** Fail closed: usable only while notices are heard, and from scratch each time they are heard again. */
  private usable(): boolean {
    const feed = this.feed;
    if (feed === null || this.lifeMs <= 0) return false;
    if (!feed.hears(ACCESS_CHANNEL)) {
      if (this.entries.size > 0) this.forgetAll();
      return false;
    }
    if (feed.connection !== this.connection) {
      this.forgetAll();
      this.connection = feed.connection;
    }
    return true;
  }
}
