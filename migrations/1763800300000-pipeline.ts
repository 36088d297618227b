import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recognition pipeline:
 * - voiceprints: encrypted speaker embeddings per person and model (AES-256-GCM, never the plain vector); they go
 *   with their person (composite FK, ON DELETE CASCADE). source_interaction_id ties an automatic sample to the
 *   utterance it came from, so correcting that utterance's speaker removes the sample.
 * - actions: what the action extractor found in an interaction (one per interaction).
 * - interactions: one interaction per source chunk per network (the idempotency key of `utterance.process`),
 *   and (network_id, id) unique so actions can reference interactions of their own network only.
 */
export class Pipeline1763800300000 implements MigrationInterface {
  name = 'Pipeline1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX interactions_network_source_chunk_key ON interactions (network_id, source_chunk_id)
       WHERE source_chunk_id IS NOT NULL`,
    );
    await q.query(
      `ALTER TABLE interactions ADD CONSTRAINT interactions_network_id_key UNIQUE (network_id, id)`,
    );

    await q.query(`
      CREATE TABLE voiceprints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        person_id uuid NOT NULL,
        model_id text NOT NULL,
        dimension integer NOT NULL CHECK (dimension > 0),
        embedding_encrypted bytea NOT NULL,
        speech_seconds real NOT NULL CHECK (speech_seconds >= 0),
        source text NOT NULL CHECK (source IN ('enrolment', 'auto')),
        description text,
        source_interaction_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (network_id, person_id) REFERENCES persons(network_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX voiceprints_network_model_person_idx ON voiceprints (network_id, model_id, person_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX voiceprints_network_person_idx ON voiceprints (network_id, person_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX voiceprints_network_interaction_idx ON voiceprints (network_id, source_interaction_id)
       WHERE source_interaction_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        interaction_id uuid NOT NULL,
        person_id uuid,
        conversation_id uuid,
        action_type text NOT NULL CHECK (action_type IN ('remind', 'schedule', 'contact')),
        details jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'dismissed')),
        scheduled_time timestamptz,
        completed_time timestamptz,
        source text NOT NULL CHECK (source IN ('gemini', 'rules')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT actions_network_interaction_key UNIQUE (network_id, interaction_id),
        FOREIGN KEY (network_id, interaction_id) REFERENCES interactions(network_id, id) ON DELETE CASCADE,
        FOREIGN KEY (network_id, person_id) REFERENCES persons(network_id, id) ON DELETE SET NULL (person_id),
        FOREIGN KEY (network_id, conversation_id) REFERENCES conversations(network_id, id)
          ON DELETE SET NULL (conversation_id)
      )`);
    await q.query(
      `CREATE INDEX actions_network_created_idx ON actions (network_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX actions_network_status_idx ON actions (network_id, status, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX actions_network_person_idx ON actions (network_id, person_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE actions`);
    await q.query(`DROP TABLE voiceprints`);
    await q.query(`ALTER TABLE interactions DROP CONSTRAINT interactions_network_id_key`);
    await q.query(`DROP INDEX interactions_network_source_chunk_key`);
  }
}
