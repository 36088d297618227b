import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account deletion leaves one audit row that names nothing of the account: no network, no user, only counts. Such
 * a row belongs to no network, so audit_log.network_id may be null for account rows (and only for them), and the
 * primary key is the row id alone. Network rows keep network_id first in every secondary index.
 */
export class AccountDeletion1763803200000 implements MigrationInterface {
  name = 'AccountDeletion1763803200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id)`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN network_id DROP NOT NULL`);
    await q.query(
      `ALTER TABLE audit_log ADD CONSTRAINT audit_log_scope_check
       CHECK (network_id IS NOT NULL OR target_type = 'account')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM audit_log WHERE network_id IS NULL`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_scope_check`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN network_id SET NOT NULL`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (network_id, id)`);
  }
}
