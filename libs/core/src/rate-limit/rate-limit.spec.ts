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
});
