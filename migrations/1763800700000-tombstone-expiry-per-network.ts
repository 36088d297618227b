import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tombstones expire in each network's retention sweep (`network_id = $1 AND deleted_at < $2`), which the primary key
 * (network_id, entity, entity_id) serves; the cross-network `deleted_at` index of 1763800600000 is not needed, and
 * broke the rule that every index of a tenant table starts with network_id.
 */
export class TombstoneExpiryPerNetwork1763800700000 implements MigrationInterface {
  name = 'TombstoneExpiryPerNetwork1763800700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tombstones_deleted_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tombstones_deleted_idx ON tombstones (deleted_at)`);
  }
}
