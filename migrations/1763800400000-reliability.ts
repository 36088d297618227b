import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit log of sensitive actions, and the shared fixed-window rate-limit counters.
 *
 * audit_log deliberately has NO foreign key to networks: the record of a network's deletion (and of what was done
 * in it before) must survive the deletion. Rows hold ids and counts only, and are removed after
 * AUDIT_RETENTION_DAYS by the retention sweep. network_id still leads every index.
 */
export class Reliability1763800400000 implements MigrationInterface {
  name = 'Reliability1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        network_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'client', 'system')),
        actor_id uuid,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        details jsonb NOT NULL DEFAULT '{}',
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network_id, id)
      )`);
    await q.query(
      `CREATE INDEX audit_log_network_created_idx ON audit_log (network_id, created_at DESC, id)`,
    );
    await q.query(
      `CREATE INDEX audit_log_network_action_idx ON audit_log (network_id, action, created_at DESC)`,
    );
    // The retention sweep expires audit rows of every network by age.
    await q.query(`CREATE INDEX audit_log_created_idx ON audit_log (created_at)`);
    // Infrastructure, not tenant data: keys are "<budget>|user:<id>", "<budget>|network:<id>", "<budget>|ip:<addr>".
    await q.query(`
      CREATE TABLE rate_limit_counters (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        hits int NOT NULL DEFAULT 0,
        PRIMARY KEY (key, window_start)
      )`);
    await q.query(`CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_counters`);
    await q.query(`DROP TABLE audit_log`);
  }
}
