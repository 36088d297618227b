import type { DataSource } from 'typeorm';

/** The outcome of counting one hit against a fixed window. */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

/** Counts hits per key in fixed windows. Implementations must be safe under concurrent requests. */
export interface RateLimitStore {
  /**
   * Counts one hit for every key (same window) and returns the counts in the same order: at once when the counters
   * are in this process (every request counts, so a guard that can answer without waiting does), else a promise.
   */
  hit(keys: string[], windowMs: number, now: number): WindowCount[] | Promise<WindowCount[]>;
  /** The counts of these keys in the current window without counting a hit (0 for a key not seen in it). */
  peek(keys: string[], windowMs: number, now: number): Promise<WindowCount[]>;
}

export function windowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

/**
 * Counters in this process's memory. With N instances behind a load balancer a caller gets up to N× the budget
 * (the ALB spreads requests), so this is the single-instance/development store; use 'postgres' to share counters.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(private readonly maxKeys = 100_000) {}

  hit(keys: string[], windowMs: number, now: number): WindowCount[] {
    const start = windowStart(now, windowMs);
    this.sweep(start, now, windowMs);
    return keys.map((key) => {
      const entry = this.counters.get(key);
      if (!entry || entry.start !== start) {
        this.counters.set(key, { start, count: 1 });
        return { count: 1, resetInMs: start + windowMs - now };
      }
      entry.count += 1;
      return { count: entry.count, resetInMs: start + windowMs - now };
    });
  }

  peek(keys: string[], windowMs: number, now: number): Promise<WindowCount[]> {
    const start = windowStart(now, windowMs);
    return Promise.resolve(
      keys.map((key) => {
        const entry = this.counters.get(key);
        return { count: entry?.start === start ? entry.count : 0, resetInMs: start + windowMs - now };
      }),
    );
  }

  get size(): number {
    return this.counters.size;
  }

  /** Drops finished windows at most once per window, or at once when the map grows past its bound. */
  private sweep(start: number, now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs && this.counters.size < this.maxKeys) return;
    this.lastSweep = now;
    for (const [key, entry] of this.counters) if (entry.start !== start) this.counters.delete(key);
  }
}

/**
 * Counters in PostgreSQL (table rate_limit_counters): one upsert per request, shared by every instance, so the
 * budget holds across N tasks. Old windows are deleted by the retention sweep.
 */
export class PostgresRateLimitStore implements RateLimitStore {
  constructor(private readonly dataSource: DataSource) {}

  async hit(keys: string[], windowMs: number, now: number): Promise<WindowCount[]> {
    const start = windowStart(now, windowMs);
    const rows = (await this.dataSource.query(
      `INSERT INTO rate_limit_counters (key, window_start, hits)
       SELECT k, to_timestamp($2::float8 / 1000), 1 FROM unnest($1::text[]) AS k
       ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
       RETURNING key, hits`,
      [keys, start],
    )) as { key: string; hits: number }[];
    const byKey = new Map(rows.map((r) => [r.key, Number(r.hits)]));
    return keys.map((key) => ({ count: byKey.get(key) ?? 1, resetInMs: start + windowMs - now }));
  }

  async peek(keys: string[], windowMs: number, now: number): Promise<WindowCount[]> {
    const start = windowStart(now, windowMs);
    const rows = (await this.dataSource.query(
      `SELECT key, hits FROM rate_limit_counters
       WHERE key = ANY($1::text[]) AND window_start = to_timestamp($2::float8 / 1000)`,
      [keys, start],
    )) as { key: string; hits: number }[];
    const byKey = new Map(rows.map((r) => [r.key, Number(r.hits)]));
    return keys.map((key) => ({ count: byKey.get(key) ?? 0, resetInMs: start + windowMs - now }));
  }
}

/**
 * Forgets the shared counters of these callers ("user:<id>", "client:<row id>", "network:<id>"): their account is
 * deleted, and the keys name it. The memory store's counters end with their window.
 */
export async function forgetRateLimitCallers(
  q: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  callers: string[],
): Promise<void> {
  if (callers.length === 0) return;
  await q.query(`DELETE FROM rate_limit_counters WHERE split_part(key, '|', 2) = ANY($1::text[])`, [callers]);
}
