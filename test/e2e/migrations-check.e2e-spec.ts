import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, buildDataSourceOptions, type MigrationList, runMigrations } from '@mira/core';
import { ALL_MIGRATIONS } from '../../migrations/index.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** A migration this test adds after the real ones: what a build with one more migration brings to a database. */
class MigrationsCheckProbe9999999999999 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE migrations_check_probe (id int PRIMARY KEY)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE migrations_check_probe');
  }
}

/** The start's migration check on PostgreSQL: applies what is missing, and nothing on an up-to-date database. */
describe('migrations at start (real PostgreSQL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function migrate(migrations: MigrationList): Promise<string[]> {
    const config = AppConfig.fromEnvironment(
      {},
      {
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        LOG_LEVEL: 'error',
      },
    );
    const dataSource = new DataSource(buildDataSourceOptions(config, { migrations }));
    await dataSource.initialize();
    try {
      return await runMigrations(dataSource, config);
    } finally {
      await dataSource.destroy();
    }
  }

  it('applies every migration to an empty database, none to an up-to-date one, and a new one when a build adds it', async () => {
    expect(await migrate(ALL_MIGRATIONS)).toHaveLength(ALL_MIGRATIONS.length);
    expect(await migrate(ALL_MIGRATIONS)).toEqual([]);
    expect(await migrate([...ALL_MIGRATIONS, MigrationsCheckProbe9999999999999])).toEqual([
      'MigrationsCheckProbe9999999999999',
    ]);
    expect(await sql(db, 'SELECT count(*)::int AS n FROM migrations_check_probe')).toEqual([{ n: 0 }]);
    expect(await migrate([...ALL_MIGRATIONS, MigrationsCheckProbe9999999999999])).toEqual([]);
  });

  it('vacuums the interactions after 2 % of new rows, so a deep offset page reads the index alone', async () => {
    await migrate(ALL_MIGRATIONS);
    expect(
      await sql(db, `SELECT reloptions FROM pg_class WHERE relname = 'interactions' AND relkind = 'r'`),
    ).toEqual([{ reloptions: ['autovacuum_vacuum_insert_scale_factor=0.02'] }]);
  });
});
