import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unknown voices become people by accumulation, never from one utterance: speech that is clearly nobody enrolled is
 * kept here (encrypted like a voiceprint, with the speaker model that made it) until enough of one voice gathers into
 * one new person. Each row belongs to its utterance and goes with it (composite FK, ON DELETE CASCADE), so an
 * interaction's retention or deletion removes its kept speech too; one row per utterance.
 */
export class UnattributedVoices1763803300000 implements MigrationInterface {
  name = 'UnattributedVoices1763803300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE unattributed_voices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        model_id text NOT NULL,
        dimension integer NOT NULL CHECK (dimension > 0),
        embedding_encrypted bytea NOT NULL,
        speech_seconds real NOT NULL CHECK (speech_seconds >= 0),
        interaction_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (network_id, interaction_id) REFERENCES interactions(network_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX unattributed_voices_network_model_idx ON unattributed_voices (network_id, model_id, created_at)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX unattributed_voices_network_interaction_key ON unattributed_voices (network_id, interaction_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unattributed_voices`);
  }
}
