import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_JWT_SECRET } from './app.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** The compiled server, configured as in production but on loopback and a throwaway database. */
export function bootCompiledServer(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Promise<ServerProcess> {
  return startServerProcess({
    ...extra,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DB_POOL_SIZE: '6',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mira-crash-')),
    LOG_LEVEL: 'info',
    RATE_LIMIT_ENABLED: 'false',
    RETENTION_SWEEP_ENABLED: 'false',
  });
}
