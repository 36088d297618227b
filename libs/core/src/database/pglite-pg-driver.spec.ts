import { DataSource } from 'typeorm';
import { createPglitePgModule } from './pglite-pg-driver.js';

/**
 * The zero-configuration embedded database. These are the two checks the published
 * typeorm-pglite adapter fails: transactions must not leak into each other.
 */
describe('PGlite driver (embedded database)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({
      type: 'postgres',
      url: 'postgres://pglite@localhost/mira',
      driver: createPglitePgModule(undefined),
    });
    await ds.initialize();
    await ds.query('CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)');
    await ds.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, blob bytea, big bigint)');
    await ds.query('INSERT INTO counters VALUES (1, 0)');
  }, 60_000);

  afterAll(async () => {
    await ds.destroy();
  });

  it('does not persist a rolled-back row while another transaction commits concurrently', async () => {
    const failing = ds.transaction(async (m) => {
      await m.query(`INSERT INTO notes (body) VALUES ('rolled back')`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('abort');
    });
    const committing = ds.transaction(async (m) => {
      await m.query(`INSERT INTO notes (body) VALUES ('committed')`);
    });
    await expect(failing).rejects.toThrow('abort');
    await committing;
    const rows = (await ds.query('SELECT body FROM notes ORDER BY id')) as { body: string }[];
    expect(rows.map((r) => r.body)).toEqual(['committed']);
  });

  it('keeps 40 concurrent read-modify-write transactions from losing updates', async () => {
    await Promise.all(
      Array.from({ length: 40 }, () =>
        ds.transaction(async (m) => {
          const [row] = (await m.query('SELECT value FROM counters WHERE id = 1 FOR UPDATE')) as {
            value: number;
          }[];
          await new Promise((resolve) => setImmediate(resolve));
          await m.query('UPDATE counters SET value = $1 WHERE id = 1', [row!.value + 1]);
        }),
      ),
    );
    const [row] = (await ds.query('SELECT value FROM counters WHERE id = 1')) as { value: number }[];
    expect(row!.value).toBe(40);
  });

  it('returns bytea as Buffer and bigint as string, like node-postgres', async () => {
    await ds.query(`INSERT INTO notes (body, blob, big) VALUES ('bin', $1, 9007199254740993)`, [
      Buffer.from([1, 2, 255]),
    ]);
    const [row] = (await ds.query(`SELECT blob, big FROM notes WHERE body = 'bin'`)) as {
      blob: Buffer;
      big: string;
    }[];
    expect(Buffer.isBuffer(row!.blob)).toBe(true);
    expect([...row!.blob]).toEqual([1, 2, 255]);
    expect(row!.big).toBe('9007199254740993');
  });

  it('reports affected rows for UPDATE and DELETE', async () => {
    const result = await ds
      .createQueryBuilder()
      .update('notes')
      .set({ body: 'x' })
      .where('body = :b', { b: 'bin' })
      .execute();
    expect(result.affected).toBe(1);
  });
});
