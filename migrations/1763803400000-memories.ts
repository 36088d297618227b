import { MigrationInterface, QueryRunner } from 'typeorm';

const SEARCH_VECTOR = 'to_tsvector(mira_search_config(search_language), canonical_text)';

/**
 * Episodic memories: what the assistant keeps from closed conversations (extracted by Gemini, or the extractive
 * summary's lines offline) and what a voice command asked it to remember. Tenant data: network_id first in the key
 * and in every index; a memory goes with its network. Its conversation or interaction may be deleted before it
 * (the reference is then cleared). dedupe_key makes a retried extraction or command write each memory once.
 * search_vector (the network's language, as for interactions) serves the assistant's search_memory tool.
 */
export class Memories1763803400000 implements MigrationInterface {
  name = 'Memories1763803400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE memories (
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        source_conversation_id uuid,
        source_interaction_id uuid,
        memory_type text NOT NULL CHECK (memory_type IN ('fact', 'event', 'plan', 'preference')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'cancelled')),
        canonical_text text NOT NULL CHECK (length(canonical_text) BETWEEN 1 AND 1000),
        action_kind text CHECK (action_kind IN ('remind', 'schedule', 'contact', 'task')),
        participant_person_ids uuid[] NOT NULL DEFAULT '{}',
        proposed_start_at timestamptz,
        proposed_end_at timestamptz,
        expires_at timestamptz,
        confidence real CHECK (confidence BETWEEN 0 AND 1),
        provenance jsonb NOT NULL DEFAULT '{}',
        transition_history jsonb NOT NULL DEFAULT '[]',
        dedupe_key text NOT NULL,
        search_language text NOT NULL DEFAULT 'en',
        search_vector tsvector GENERATED ALWAYS AS (${SEARCH_VECTOR}) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network_id, id),
        FOREIGN KEY (network_id, source_conversation_id) REFERENCES conversations(network_id, id)
          ON DELETE SET NULL (source_conversation_id),
        FOREIGN KEY (network_id, source_interaction_id) REFERENCES interactions(network_id, id)
          ON DELETE SET NULL (source_interaction_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX memories_network_dedupe_key ON memories (network_id, dedupe_key)`);
    await q.query(
      `CREATE INDEX memories_network_created_idx ON memories (network_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX memories_network_expires_idx ON memories (network_id, expires_at) WHERE expires_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX memories_network_conversation_idx ON memories (network_id, source_conversation_id)
       WHERE source_conversation_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX memories_network_interaction_idx ON memories (network_id, source_interaction_id)
       WHERE source_interaction_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX memories_network_search_idx ON memories USING gin (network_id, search_vector)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE memories`);
  }
}
