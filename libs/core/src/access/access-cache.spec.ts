import { ACCESS_CHANNEL, AccessCache, type AccessChangeFeed } from './access-cache.js';

/** A LISTEN connection the test opens, drops and reopens by hand. */
class FakeFeed implements AccessChangeFeed {
  connection = 0;
  up = true;
  handler?: (payload: string) => void;
  hears(channel: string): boolean {
    return this.up && channel === ACCESS_CHANNEL;
  }
  listenChannel(channel: string, handler: (payload: string) => void): void {
    expect(channel).toBe(ACCESS_CHANNEL);
    this.handler = handler;
  }
  notify(payload: string): void {
    this.handler?.(payload);
  }
  reconnect(): void {
    this.up = true;
    this.connection += 1;
  }
}

const USER = '11111111-1111-4111-8111-111111111111';
const OTHER_USER = '22222222-2222-4222-8222-222222222222';
const SESSION = '33333333-3333-4333-8333-333333333333';
const NETWORK = '44444444-4444-4444-8444-444444444444';
const OTHER_NETWORK = '55555555-5555-4555-8555-555555555555';
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('AccessCache', () => {
  let feed: FakeFeed;
  let cache: AccessCache;
  const keep = (user = USER, network = NETWORK, until = inAnHour()) =>
    cache.remember(cache.stamp(), user, SESSION, network, until);

  beforeEach(() => {
    feed = new FakeFeed();
    cache = new AccessCache(feed, 60_000);
  });

  it('answers only what it was told, for that user, session and network', () => {
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
    keep();
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(true);
    expect(cache.allows(USER, OTHER_USER, NETWORK)).toBe(false); // another session
    expect(cache.allows(USER, SESSION, OTHER_NETWORK)).toBe(false);
    expect(cache.allows(OTHER_USER, SESSION, NETWORK)).toBe(false);
  });

  it("drops a user's answers on a u: notice and a network's on an n: notice, and everything on an unknown one", () => {
    keep(USER, NETWORK);
    keep(USER, OTHER_NETWORK);
    keep(OTHER_USER, OTHER_NETWORK);
    feed.notify(`u:${USER}`);
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
    expect(cache.allows(USER, SESSION, OTHER_NETWORK)).toBe(false);
    expect(cache.allows(OTHER_USER, SESSION, OTHER_NETWORK)).toBe(true);
    feed.notify(`n:${OTHER_NETWORK}`);
    expect(cache.allows(OTHER_USER, SESSION, OTHER_NETWORK)).toBe(false);
    keep();
    feed.notify('x:something newer');
    expect(cache.size).toBe(0);
  });

  it('does not keep an answer read while a notice arrived (it may predate the change)', () => {
    const stamp = cache.stamp();
    feed.notify(`n:${OTHER_NETWORK}`); // any notice: the answer in flight is not kept
    cache.remember(stamp, USER, SESSION, NETWORK, inAnHour());
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
  });

  it('fails closed: nothing is served while notices are not heard, and nothing kept survives a reconnect', () => {
    keep();
    feed.up = false;
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
    keep(); // not kept while down
    feed.reconnect();
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
    expect(cache.size).toBe(0);
    // a query that started before a drop and ended after the reconnect is not kept either
    const stamp = cache.stamp();
    feed.up = false;
    feed.reconnect();
    cache.remember(stamp, USER, SESSION, NETWORK, inAnHour());
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
  });

  it('keeps an answer no longer than the session lives', () => {
    keep(USER, NETWORK, new Date(Date.now() - 1));
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
  });

  it('keeps nothing without a feed (embedded database) or with a life of 0', () => {
    for (const off of [new AccessCache(null, 60_000), new AccessCache(feed, 0)]) {
      off.remember(off.stamp(), USER, SESSION, NETWORK, inAnHour());
      expect(off.allows(USER, SESSION, NETWORK)).toBe(false);
    }
  });

  it("keeps a device token's device and a network's service switch, dropped with their network", () => {
    const device = { kind: 'client' as const, clientRowId: SESSION, clientId: 'box', networkId: NETWORK };
    cache.rememberClient(cache.stamp(), 'hash-a', device);
    cache.rememberServiceEnabled(cache.stamp(), NETWORK, false);
    cache.rememberServiceEnabled(cache.stamp(), OTHER_NETWORK, true);
    expect(cache.client('hash-a')).toEqual(device);
    expect(cache.client('hash-b')).toBeUndefined();
    expect(cache.serviceEnabled(NETWORK)).toBe(false); // a switched-off service is kept too
    expect(cache.serviceEnabled(OTHER_NETWORK)).toBe(true);
    feed.notify(`u:${USER}`); // a user's notice leaves devices and switches alone
    expect(cache.client('hash-a')).toEqual(device);
    feed.notify(`n:${NETWORK}`);
    expect(cache.client('hash-a')).toBeUndefined();
    expect(cache.serviceEnabled(NETWORK)).toBeUndefined();
    expect(cache.serviceEnabled(OTHER_NETWORK)).toBe(true);
    // a device read while a notice arrived is not kept; nothing is served while notices are not heard
    const stamp = cache.stamp();
    feed.notify(`n:${OTHER_NETWORK}`);
    cache.rememberClient(stamp, 'hash-a', device);
    expect(cache.client('hash-a')).toBeUndefined();
    cache.rememberServiceEnabled(cache.stamp(), NETWORK, true);
    feed.up = false;
    expect(cache.serviceEnabled(NETWORK)).toBeUndefined();
  });

  it('forgets locally right away (the instance that made the change)', () => {
    keep(USER, NETWORK);
    cache.forgetUser(USER);
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
    keep(USER, NETWORK);
    cache.forgetNetwork(NETWORK);
    expect(cache.allows(USER, SESSION, NETWORK)).toBe(false);
  });
});
