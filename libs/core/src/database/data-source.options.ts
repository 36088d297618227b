import pg from 'pg';
import { DataSource, DataSourceOptions, MixedList } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { createPglitePgModule } from './pglite-pg-driver.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationList = MixedList<Function | string>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string>;

/** Builds the TypeORM options for real PostgreSQL (DATABASE_URL) or the embedded PGlite database. */
export function buildDataSourceOptions(
  config: AppConfig,
  parts: { migrations: MigrationList; entities?: EntityList },
): DataSourceOptions {
  const db = config.values.database;
  const common = {
    type: 'postgres' as const,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    migrations: parts.migrations,
    entities: parts.entities ?? [],
    namingStrategy: new SnakeNamingStrategy(),
    installExtensions: false,
    logging: false,
  };
  if (db.kind === 'postgres') {
    return {
      ...common,
      url: db.url,
      // The driver this module imports, rather than TypeORM's own run-time require of 'pg': one copy of pg in the
      // bundled server (see scripts/bundle.mjs).
      driver: pg,
      poolSize: db.poolSize,
      connectTimeoutMS: 5000,
      extra: {
        // Fail fast instead of hanging when the database goes away; the filter answers 503.
        connectionTimeoutMillis: 5000,
        query_timeout: 30_000,
        idleTimeoutMillis: 30_000,
      },
    };
  }
  return {
    ...common,
    url: 'postgres://pglite@localhost/mira',
    driver: createPglitePgModule(db.dataDir),
  };
}

/**
 * Applies pending migrations; on PostgreSQL under an advisory lock so that parallel instances take turns. A start that
 * finds every migration recorded (a redeploy, a restart) reads the migrations table once and stops there: no lock,
 * no second connection, none of TypeORM's table checks.
 */
export async function runMigrations(dataSource: DataSource, config: AppConfig): Promise<string[]> {
  if (config.values.database.kind !== 'postgres') {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  if (await allMigrationsRecorded(dataSource)) return [];
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock(727364)');
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock(727364)').catch(() => undefined);
    await lockRunner.release();
  }
}

/** Whether the migrations table names every migration this build has (false when the table does not exist yet). */
async function allMigrationsRecorded(dataSource: DataSource): Promise<boolean> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const rows = await dataSource
    .query<{ name: string }[]>(`SELECT name FROM "${table}"`)
    .catch((err: unknown) => {
      const failure = err as { code?: string; driverError?: { code?: string } };
      if ((failure.driverError?.code ?? failure.code) === '42P01') return null; // undefined_table: first start
      throw err;
    });
  if (!rows) return false;
  const recorded = new Set(rows.map((r) => r.name));
  // TypeORM's own naming of a migration: its `name`, else its class name
  return dataSource.migrations.every((m) => recorded.has(m.name ?? m.constructor.name));
}
