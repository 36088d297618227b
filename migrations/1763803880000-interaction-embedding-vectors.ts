import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Native pgvector columns beside the portable `real[]` embedding, where the `vector` extension is installed (PGlite
 * always; PostgreSQL with pgvector). Both are generated from `embedding`, so every writer stays one INSERT of the
 * array and the columns can never disagree with it.
 *
 * - `embedding_prefix`: the first 256 values renormalised to unit length (null for vectors of 256 values or fewer).
 *   gemini-embedding-001 is trained so that a prefix of its vector is itself an embedding (Matryoshka
 *   representation), so the prefix's cosine is a coarse but cheap ranking. About 1 KB, it stays in the row: the
 *   coarse pass reads no TOAST. Measured in PGlite, reading a TOASTed 768-value vector costs ~12 µs a row, casting
 *   real[] to vector another ~6, the distance itself ~1 (npm run bench:semantic, BENCHMARKS.md).
 * - `embedding_vector`: the whole vector as `vector`, read only for the coarse pass's candidates (exact re-ranking),
 *   so no row is cast at search time. STORAGE EXTERNAL: unit vectors of floats do not compress, and not trying
 *   saves the attempt on every write.
 *
 * Without the extension (or with a pgvector older than 0.7, which lacks subvector and l2_normalize) nothing
 * changes: ranking stays the plain-SQL cosine over `embedding`.
 */
export class InteractionEmbeddingVectors1763803880000 implements MigrationInterface {
  name = 'InteractionEmbeddingVectors1763803880000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')
           AND to_regprocedure('subvector(vector,integer,integer)') IS NOT NULL
           AND to_regprocedure('l2_normalize(vector)') IS NOT NULL THEN
          EXECUTE $ddl$
            ALTER TABLE interaction_embeddings
              ADD COLUMN embedding_vector vector GENERATED ALWAYS AS (embedding::vector) STORED,
              ADD COLUMN embedding_prefix vector GENERATED ALWAYS AS (
                CASE WHEN dimensions > 256 THEN l2_normalize(subvector(embedding::vector, 1, 256)) END) STORED
          $ddl$;
          EXECUTE 'ALTER TABLE interaction_embeddings ALTER COLUMN embedding_vector SET STORAGE EXTERNAL';
        END IF;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interaction_embeddings DROP COLUMN IF EXISTS embedding_prefix`);
    await q.query(`ALTER TABLE interaction_embeddings DROP COLUMN IF EXISTS embedding_vector`);
  }
}
