import type { EnvReader } from './env-reader.js';

/** The budgets a route can draw from (see @RateBudget). */
export const RATE_BUDGETS = ['read', 'write', 'ingest', 'enrol', 'llm'] as const;
export type RateBudgetName = (typeof RATE_BUDGETS)[number];

export interface RateLimitConfig {
  enabled: boolean;
  /** memory: per process (N instances allow N×); postgres: one shared fixed-window counter table. */
  store: 'memory' | 'postgres';
  windowSeconds: number;
  /** Requests per window for one caller (user, device, or client address when anonymous). */
  perCaller: Record<RateBudgetName, number>;
  /** Requests per window for a whole network, summed over its callers. */
  perNetwork: Record<RateBudgetName, number>;
}

export interface RateLimitConfigValues {
  rateLimit: RateLimitConfig;
}

export function parseRateLimitConfig(env: EnvReader): RateLimitConfigValues {
  const { int, bool, oneOf } = env;
  return {
    rateLimit: {
      enabled: bool('RATE_LIMIT_ENABLED', true),
      store: oneOf<'memory' | 'postgres'>('RATE_LIMIT_STORE', ['memory', 'postgres'], 'memory'),
      windowSeconds: int('RATE_LIMIT_WINDOW_SECONDS', 3600, 1, 86_400),
      perCaller: {
        // 1,000 requests an hour per caller: ample for people and apps, small for a runaway script.
        read: int('RATE_LIMIT_READ', 1000, 1, 10_000_000),
        write: int('RATE_LIMIT_WRITE', 1000, 1, 10_000_000),
        // A device streaming one chunk a second sends 3,600 an hour.
        ingest: int('RATE_LIMIT_INGEST', 7200, 1, 10_000_000),
        enrol: int('RATE_LIMIT_ENROL', 30, 1, 10_000_000),
        llm: int('RATE_LIMIT_LLM', 200, 1, 10_000_000),
      },
      perNetwork: {
        read: int('RATE_LIMIT_NETWORK_READ', 5000, 1, 10_000_000),
        write: int('RATE_LIMIT_NETWORK_WRITE', 5000, 1, 10_000_000),
        ingest: int('RATE_LIMIT_NETWORK_INGEST', 40_000, 1, 10_000_000),
        enrol: int('RATE_LIMIT_NETWORK_ENROL', 60, 1, 10_000_000),
        llm: int('RATE_LIMIT_NETWORK_LLM', 500, 1, 10_000_000),
      },
    },
  };
}
