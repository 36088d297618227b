import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Semantic search over what was said: one embedding of each interaction's content.
 *
 * - The vector is stored as `real[]` so that the same schema runs on every database: PostgreSQL with or without the
 *   pgvector extension, and PGlite. Ranking casts it to pgvector's `vector` where the extension exists and computes
 *   the cosine in plain SQL otherwise (InteractionEmbeddingRepository). Vectors are stored unit-length.
 * - `model` and `dimensions` say which embedding the vector is: a query vector is only compared with vectors of the
 *   same model and size, and a change of model re-embeds instead of mixing spaces.
 * - `content_sha256` is the hash of the content the vector was computed from: a job that finds it equal to the
 *   current content's hash has nothing to do (jobs can run twice), and a search never ranks a stale vector.
 * - The key leads with network_id; the composite foreign key deletes the embedding with its interaction (and so
 *   with its network).
 * - The `vector` extension is created when the server offers it (PGlite always; PostgreSQL where pgvector is
 *   installed, as on RDS) and the role may create it; otherwise semantic ranking uses the plain-SQL cosine. Without
 *   an ANN index: an HNSW/IVFFlat index cannot lead with network_id, and one network's rows are scanned exactly.
 */
export class InteractionEmbeddings1763803870000 implements MigrationInterface {
  name = 'InteractionEmbeddings1763803870000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS vector;
          EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pgvector is installed but this role may not create it: semantic search ranks in plain SQL';
          END;
        END IF;
      END
      $$`);
    await q.query(`
      CREATE TABLE interaction_embeddings (
        network_id uuid NOT NULL,
        interaction_id uuid NOT NULL,
        model text NOT NULL,
        dimensions integer NOT NULL CHECK (dimensions BETWEEN 1 AND 16000),
        embedding real[] NOT NULL CHECK (cardinality(embedding) = dimensions),
        content_sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network_id, interaction_id),
        FOREIGN KEY (network_id, interaction_id) REFERENCES interactions (network_id, id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The vector extension stays: an operator may have installed it for other uses, and dropping it is their call.
    await q.query(`DROP TABLE interaction_embeddings`);
  }
}
