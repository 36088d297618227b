import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An interaction list's offset skips index entries newest first, and reads them from the index alone only where the
 * visibility map says their pages are all visible. Insert-driven autovacuum (which sets that map) waits by default
 * until inserts reach a fifth of the table: exactly the newest pages an offset skips first, which it then reads from
 * the table. At 2 % (plus the default 1,000 rows) a network of 100,000 interactions is vacuumed every ~3,000 new ones,
 * an insert-only vacuum that costs little.
 */
export class InteractionsInsertAutovacuum1763803920000 implements MigrationInterface {
  name = 'InteractionsInsertAutovacuum1763803920000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interactions SET (autovacuum_vacuum_insert_scale_factor = 0.02)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interactions RESET (autovacuum_vacuum_insert_scale_factor)`);
  }
}
