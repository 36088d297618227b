import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, TestDatabase } from '../support/database.js';
import { ensureBuilt, ROOT } from '../support/build.js';
import { ALL_MIGRATIONS } from '../../migrations/index.js';

/** The compiled CLIs the image and the one-off ECS task run — migrate, generate, seed. */
describe('deploy CLIs (compiled dist, real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'mira-cli-'));
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function cli(script: string, args: string[] = [], env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/apps/api/src/cli', script), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        JWT_SECRET: 'cli-test-secret-that-is-long-enough-0123456789',
        VOICEPRINT_KEY: Buffer.alloc(32, 3).toString('base64'),
        LOG_LEVEL: 'info',
        ...env,
      },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  async function query<T>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  function appliedEvent(stdout: string): { count: number; names: string[] } {
    const line = stdout.split('\n').find((l) => l.includes('"migrations_applied"'));
    if (!line) throw new Error(`no migrations_applied line in:\n${stdout}`);
    return JSON.parse(line);
  }

  it('migrate applies every pending migration, then a second run applies none (safe to run twice)', async () => {
    const first = cli('migrate.js');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(appliedEvent(first.stdout).names).toEqual(ALL_MIGRATIONS.map((m) => m.name));
    const rows = await query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(ALL_MIGRATIONS.map((m) => m.name));

    const second = cli('migrate.js');
    expect(second.code).toBe(0);
    expect(appliedEvent(second.stdout)).toMatchObject({ count: 0, names: [] });
    expect(await query('SELECT name FROM schema_migrations')).toHaveLength(ALL_MIGRATIONS.length);
  });

  it('migrate refuses an invalid configuration with exit 78 and names the variable', () => {
    const bad = cli('migrate.js', [], { DATABASE_URL: 'mysql://nope' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
  });

  it('db:generate-migration finds no drift in the foundation tables and writes the difference when there is one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-gen-'));
    try {
      writeFileSync(
        join(dir, 'index.ts'),
        "import { A1 } from './1-a.js';\n\nexport const ALL_MIGRATIONS = [A1];\n",
      );
      const clean = cli('generate-migration.js', ['Nothing', '--dir', dir]);
      expect(clean.code).toBe(0);
      const foundation = /"(users|refresh_tokens|networks|clients)"/;
      const written = readdirSync(dir).filter((f) => f !== 'index.ts');
      for (const f of written) expect(readFileSync(join(dir, f), 'utf8')).not.toMatch(foundation);
      for (const f of written) rmSync(join(dir, f));

      // Make the database lag behind the entities: the generator must propose the missing column.
      await query('ALTER TABLE networks DROP COLUMN settings');
      const drift = cli('generate-migration.js', ['restore-settings', '--dir', dir]);
      expect(drift.code).toBe(0);
      const files = readdirSync(dir).filter((f) => /^\d+-restore-settings\.ts$/.test(f));
      expect(files).toHaveLength(1);
      const source = readFileSync(join(dir, files[0] as string), 'utf8');
      expect(source).toMatch(/export class RestoreSettings\d+ implements MigrationInterface/);
      expect(source).toMatch(/ALTER TABLE "networks" ADD "settings" jsonb NOT NULL/);
      expect(source).toMatch(/ALTER TABLE "networks" DROP COLUMN "settings"/);
      const index = readFileSync(join(dir, 'index.ts'), 'utf8');
      expect(index).toMatch(/import \{ RestoreSettings\d+ \} from '\.\/\d+-restore-settings\.js';/);
      expect(index).toMatch(/ALL_MIGRATIONS = \[A1, RestoreSettings\d+\]/);
    } finally {
      await query(`ALTER TABLE networks ADD COLUMN IF NOT EXISTS settings jsonb NOT NULL DEFAULT '{}'`);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('db:seed creates a demo user, network and client and prints working credentials', async () => {
    const seeded = cli('seed.js', ['--email', 'seed-demo@example.com']);
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
    const out = JSON.parse(seeded.stdout.slice(seeded.stdout.indexOf('{\n')));
    expect(out.user).toMatchObject({ email: 'seed-demo@example.com', created: true });
    expect(out.user.password.length).toBeGreaterThanOrEqual(12);
    expect(out.client.client_token).toMatch(/^mira_ct_/);
    const rows = await query<{ client_id: string; owner_email: string }>(
      `SELECT c.client_id, u.email AS owner_email FROM clients c
         JOIN networks n ON n.id = c.network_id JOIN users u ON u.id = n.owner_id
        WHERE n.id = '${out.network.id}' AND c.revoked_at IS NULL`,
    );
    expect(rows).toEqual([{ client_id: 'demo-client', owner_email: 'seed-demo@example.com' }]);

    // Again with the password: the same user and network, a fresh client token.
    const again = cli('seed.js', ['--email', 'seed-demo@example.com', '--password', out.user.password]);
    expect(again.code).toBe(0);
    const out2 = JSON.parse(again.stdout.slice(again.stdout.indexOf('{\n')));
    expect(out2.user.created).toBe(false);
    expect(out2.network.id).toBe(out.network.id);
    expect(out2.client.client_token).not.toBe(out.client.client_token);

    const refused = cli('seed.js', [], { NODE_ENV: 'production' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to seed demo credentials with NODE_ENV=production');
  });
});
