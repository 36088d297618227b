import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

/** A database of the bench's own, and how to give it back. */
export interface BenchDatabase {
  url: string;
  /** Drops the database (unless kept) and stops the throwaway cluster if the bench started one. */
  release(options?: { keep?: boolean }): Promise<void>;
}

/**
 * A fresh database for one bench run: in the cluster DATABASE_URL names when set, else in a throwaway cluster of the
 * test harness (test/support/postgres-harness.mjs), which release() stops.
 */
export async function benchDatabase(): Promise<BenchDatabase> {
  const cluster = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: () => undefined }
    : await startThrowawayCluster();
  const name = `mira_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin(cluster.url, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async release({ keep = false } = {}) {
      if (!keep) {
        await withAdmin(cluster.url, (admin) =>
          admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
        ).catch(() => undefined);
      }
      cluster.stop();
    },
  };
}

async function startThrowawayCluster(): Promise<{ url: string; stop(): void }> {
  const harness = (await import(pathToFileURL(resolve('test/support/postgres-harness.mjs')).href)) as {
    startPostgres(): Promise<{ url: string; stop(): void }>;
  };
  return harness.startPostgres();
}

async function withAdmin<T>(url: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
