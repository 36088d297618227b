import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tombstones are forgotten after TOMBSTONE_RETENTION_DAYS by the retention schedule, across networks by age (like
 * audit rows), so the table stops growing with every deletion ever made.
 */
export class TombstoneExpiry1763800600000 implements MigrationInterface {
  name = 'TombstoneExpiry1763800600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tombstones_deleted_idx ON tombstones (deleted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tombstones_deleted_idx`);
  }
}
