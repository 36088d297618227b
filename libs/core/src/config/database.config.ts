import { join } from 'node:path';
import type { ConfigContext, EnvReader } from './env-reader.js';

export interface DatabaseConfigValues {
  /** PostgreSQL when DATABASE_URL is set, else the embedded PGlite database in the data directory. */
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string };
  migrateOnBoot: boolean;
}

export function parseDatabaseConfig(env: EnvReader, ctx: ConfigContext): DatabaseConfigValues {
  const { str, int, bool, problems } = env;
  const databaseUrl = str('DATABASE_URL');
  let database: DatabaseConfigValues['database'];
  if (databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
    }
    database = { kind: 'postgres', url: databaseUrl, poolSize: int('DB_POOL_SIZE', 10, 1, 200) };
  } else {
    if (ctx.isProduction) problems.push('DATABASE_URL is required when NODE_ENV=production');
    database = { kind: 'pglite', dataDir: join(ctx.dataDir, 'pglite') };
  }
  return { database, migrateOnBoot: bool('DB_MIGRATE_ON_BOOT', true) };
}
