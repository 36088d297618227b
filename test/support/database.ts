import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.MIRA_TEST_ADMIN_URL;
  if (!url)
    throw new Error(
      'MIRA_TEST_ADMIN_URL is not set: run the tests through jest (global setup starts PostgreSQL)',
    );
  return url;
}

/**
 * A fresh, empty database on the test cluster (or on the server at `admin`); the app's own migrations build its
 * schema.
 */
export async function createTestDatabase(adminServer = adminUrl()): Promise<TestDatabase> {
  const name = `mira_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminServer });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminServer);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminServer });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Rows of one query on a test database (a connection of its own, closed after), for checks behind the API. */
export async function sql<T = Record<string, unknown>>(
  database: { url: string },
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Makes the database refuse to insert a job of this type for this conversation, as it would refuse any write during
 * an outage or a crash between two writes; answers the function that lifts the refusal.
 */
export async function refuseConversationJob(
  database: { url: string },
  jobType: string,
  conversationId: string,
): Promise<() => Promise<void>> {
  const name = `refuse_${jobType.replace(/\W/g, '_')}_${conversationId.replace(/-/g, '')}`;
  await sql(
    database,
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.type = '${jobType}' AND NEW.payload->>'conversation_id' = '${conversationId}' THEN
         RAISE EXCEPTION 'the % job cannot be written', NEW.type;
       END IF;
       RETURN NEW;
     END $$`,
  );
  await sql(database, `CREATE TRIGGER ${name} BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  return async () => {
    await sql(database, `DROP TRIGGER ${name} ON jobs`);
    await sql(database, `DROP FUNCTION ${name}()`);
  };
}

/**
 * Runs `change` with the database's access-change notices (channel `mira_access`) switched off, then switches them
 * back on: what an instance refuses meanwhile it refuses on its own account, not because a notice came back first
 * (a notice crosses in milliseconds, so with them on the two cannot be told apart). Nothing else may use this
 * database's access cache while it runs: no instance hears the changes made in between.
 */
export async function withoutAccessNotices<T>(
  database: { url: string },
  change: () => Promise<T>,
): Promise<T> {
  const triggers = await sql<{ tbl: string; name: string }>(
    database,
    `SELECT tgrelid::regclass::text AS tbl, tgname AS name FROM pg_trigger
     WHERE tgfoid = 'notify_access_change'::regproc`,
  );
  if (triggers.length === 0) throw new Error('no access-change notice triggers: the schema changed');
  const toggle = (action: 'ENABLE' | 'DISABLE') =>
    sql(database, triggers.map((t) => `ALTER TABLE ${t.tbl} ${action} TRIGGER ${t.name};`).join('\n'));
  await toggle('DISABLE');
  try {
    return await change();
  } finally {
    await toggle('ENABLE');
  }
}
