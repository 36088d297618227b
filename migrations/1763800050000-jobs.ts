import { MigrationInterface, QueryRunner } from 'typeorm';

/** The background job queue (claimed with FOR UPDATE SKIP LOCKED). */
export class Jobs1763800050000 implements MigrationInterface {
  name = 'Jobs1763800050000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        type text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        max_attempts int NOT NULL DEFAULT 5,
        run_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        dedupe_key text,
        last_error text,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX jobs_network_type_dedupe_key ON jobs (network_id, type, dedupe_key) WHERE dedupe_key IS NOT NULL`,
    );
    await q.query(`CREATE INDEX jobs_network_status_idx ON jobs (network_id, status, created_at)`);
    // The worker claims across all networks, so this one index cannot lead with network_id.
    await q.query(`CREATE INDEX jobs_claim_idx ON jobs (run_at) WHERE status IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
  }
}
