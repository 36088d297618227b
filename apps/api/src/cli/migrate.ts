import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrations } from '@mira/core';
import { ALL_MIGRATIONS } from '../../../../migrations/index.js';
import { cliLogger, loadCliConfig, runCli } from './cli-support.js';

/**
 * `npm run db:migrate` / `node dist/apps/api/src/cli/migrate.js` (the one-off ECS migration task).
 * Applies pending migrations from ALL_MIGRATIONS, on PostgreSQL under the same advisory lock the server uses, so
 * it is safe to run twice and safe next to booting instances. Uses DATABASE_URL, else the embedded PGlite database
 * in DATA_DIR. Prints one JSON line `migrations_applied` with the names applied (empty when up to date).
 */
runCli('migrate', async () => {
  const config = loadCliConfig();
  const logger = cliLogger(config);
  const dataSource = new DataSource(buildDataSourceOptions(config, { migrations: ALL_MIGRATIONS }));
  await dataSource.initialize();
  try {
    const started = Date.now();
    const applied = await runMigrations(dataSource, config);
    logger.info('migrations_applied', {
      count: applied.length,
      names: applied,
      total_known: ALL_MIGRATIONS.length,
      database: config.values.database.kind,
      duration_ms: Date.now() - started,
    });
  } finally {
    await dataSource.destroy();
  }
});
