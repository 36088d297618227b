import { startPostgres } from './postgres-harness.mjs';

/** Uses DATABASE_URL when given; otherwise starts a throwaway PostgreSQL for this test run. */
export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.MIRA_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const pg = await startPostgres();
  process.env.MIRA_TEST_ADMIN_URL = pg.url;
  globalThis.__MIRA_TEST_PG__ = pg;
}
