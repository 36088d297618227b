import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a device says about itself when the shipped apps register it (POST /service/clients `metadata`, e.g. its
 * local and external address), answered back by the account door's client routes.
 */
export class AppDevices1763801600000 implements MigrationInterface {
  name = 'AppDevices1763801600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clients ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clients DROP COLUMN metadata`);
  }
}
