import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigContext, EnvReader } from './env-reader.js';

/** Access and refresh tokens (libs/identity). */
export interface JwtConfigValues {
  jwt: {
    secret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    /**
     * How long an instance may answer "this session is live and its user owns this network", a device token's device
     * and a network's service switch from memory (AccessCache); 0 asks the database on every request.
     */
    accessCacheSeconds: number;
    secretSource: 'env' | 'generated';
  };
}

export function parseJwtConfig(env: EnvReader, ctx: ConfigContext): JwtConfigValues {
  const { str, int, problems } = env;
  let secret = str('JWT_SECRET');
  let secretSource: 'env' | 'generated' = 'env';
  if (secret !== undefined && secret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  }
  if (secret === undefined) {
    if (ctx.isProduction) problems.push('JWT_SECRET is required when NODE_ENV=production');
    secret = loadOrCreateDevSecret(ctx.dataDir);
    secretSource = 'generated';
  }
  return {
    jwt: {
      secret,
      accessTtlSeconds: int('JWT_ACCESS_TTL_SECONDS', 900, 30, 86_400),
      refreshTtlSeconds: int('JWT_REFRESH_TTL_SECONDS', 30 * 86_400, 300, 365 * 86_400),
      accessCacheSeconds: int('ACCESS_CACHE_SECONDS', 5, 0, 60),
      secretSource,
    },
  };
}

/** Zero-configuration development: a random secret kept in the data directory so tokens survive restarts. */
function loadOrCreateDevSecret(dataDir: string): string {
  const file = join(dataDir, '.jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
