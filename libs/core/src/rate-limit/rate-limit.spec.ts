import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../http/client-address.js';
import { budgetFor } from './rate-limiter.js';
import { MemoryRateLimitStore, windowStart } from './rate-limit.store.js';

/** Fixed-window budgets that reset, and routes classified into budgets. */
describe('rate limiting: fixed windows and budget classification', () => {
  const HOUR = 3_600_000;

  it('counts per key within a window and reports the time left until the reset', async () => {
    const store = new MemoryRateLimitStore();
    const t0 = 10 * HOUR + 1000;
    expect(await store.hit(['a', 'b'], HOUR, t0)).toEqual([
      { count: 1, resetInMs: HOUR - 1000 },
      { count: 1, resetInMs: HOUR - 1000 },
    ]);
    expect((await store.hit(['a'], HOUR, t0 + 5000))[0]).toEqual({ count: 2, resetInMs: HOUR - 6000 });
    expect((await store.hit(['b'], HOUR, t0 + 5000))[0]?.count).toBe(2);
  });

  it('starts from zero in the next window and drops finished windows', async () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 5; i++) await store.hit(['a'], HOUR, 2 * HOUR + i);
    await store.hit(['old'], HOUR, 2 * HOUR);
    expect((await store.hit(['a'], HOUR, 3 * HOUR))[0]).toEqual({ count: 1, resetInMs: HOUR });
    expect(store.size).toBe(1);
  });

  it('bounds its memory: past maxKeys it sweeps finished windows at once', async () => {
    const store = new MemoryRateLimitStore(10);
    for (let i = 0; i < 10; i++) await store.hit([`k${i}`], HOUR, HOUR + i);
    await store.hit(['fresh'], HOUR, 2 * HOUR);
    expect(store.size).toBe(1);
  });

  it('peek reads the current window without counting: 0 for an unseen key or a finished window', async () => {
    const store = new MemoryRateLimitStore();
    const t0 = 4 * HOUR + 10;
    await store.hit(['a'], HOUR, t0);
    await store.hit(['a'], HOUR, t0 + 1);
    expect(await store.peek(['a', 'b'], HOUR, t0 + 10)).toEqual([
      { count: 2, resetInMs: HOUR - 20 },
      { count: 0, resetInMs: HOUR - 20 },
    ]);
    expect((await store.peek(['a'], HOUR, t0 + 10))[0]?.count).toBe(2);
    expect((await store.peek(['a'], HOUR, 5 * HOUR))[0]?.count).toBe(0);
  });

  it('window starts are aligned to the window length', () => {
    expect(windowStart(5 * HOUR + 123, HOUR)).toBe(5 * HOUR);
    expect(windowStart(59_999, 60_000)).toBe(0);
  });

  it('GET/HEAD read, other methods write, a declared budget wins', () => {
    expect(budgetFor('GET', undefined)).toBe('read');
    expect(budgetFor('HEAD', undefined)).toBe('read');
    expect(budgetFor('POST', undefined)).toBe('write');
    expect(budgetFor('DELETE', undefined)).toBe('write');
    expect(budgetFor('POST', 'ingest')).toBe('ingest');
    expect(budgetFor('GET', 'exempt')).toBe('exempt');
  });

  it('the client address of a request Express never sees is read as Express reads req.ip: the peer, then one X-Forwarded-For entry per trusted hop', () => {
    const request = (forwardedFor?: string) =>
      ({
        socket: { remoteAddress: '10.0.0.9' },
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      }) as unknown as IncomingMessage;
    // no proxy trusted: the peer, whatever the client wrote
    expect(clientAddress(request('203.0.113.1'), 0)).toBe('10.0.0.9');
    // one hop (the ALB): the entry it appended, never one the client wrote before it
    expect(clientAddress(request('forged, 1.2.3.4 ,  198.51.100.7'), 1)).toBe('198.51.100.7');
    expect(clientAddress(request('198.51.100.7,,'), 1)).toBe('198.51.100.7');
    expect(clientAddress(request('a, b, c'), 2)).toBe('b');
    // fewer entries than hops: the left-most there is; none: the peer
    expect(clientAddress(request('a'), 3)).toBe('a');
    expect(clientAddress(request(), 1)).toBe('10.0.0.9');
    expect(clientAddress(request(' , '), 1)).toBe('10.0.0.9');
  });
});
