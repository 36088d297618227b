import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over what was said.
 *
 * - interactions.search_language: the ISO 639-1 code of the network's language when the row was written
 *   (settings.language, English when unset). mira_search_config() maps it to a PostgreSQL text search
 *   configuration (stemming and stop words); a code without one maps to `simple` (words as written).
 * - interactions.search_vector: a stored generated tsvector of the content in that configuration.
 * - The GIN index leads with network_id (btree_gin lets a GIN index carry the uuid column), so a search reads one
 *   network's postings only; btree_gin is a trusted extension (a database owner may create it) and ships with
 *   PostgreSQL's contrib and with PGlite.
 * - mira_search_config() is declared IMMUTABLE so the generated column may call it: it only maps constants to
 *   built-in configurations, whose identities never change.
 * - typeorm_metadata is where TypeORM's schema reader looks up a generated column's expression (it fails without the
 *   table); the row makes `npm run migration:generate` see the column exactly as the entity declares it.
 */
const SEARCH_VECTOR = "to_tsvector(mira_search_config(search_language), coalesce(content, ''))";

export class InteractionSearch1763801910000 implements MigrationInterface {
  name = 'InteractionSearch1763801910000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`
      CREATE FUNCTION mira_search_config(language text) RETURNS regconfig
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (CASE lower(language)
          WHEN 'ar' THEN 'arabic' WHEN 'ca' THEN 'catalan' WHEN 'da' THEN 'danish' WHEN 'de' THEN 'german'
          WHEN 'el' THEN 'greek' WHEN 'en' THEN 'english' WHEN 'es' THEN 'spanish' WHEN 'eu' THEN 'basque'
          WHEN 'fi' THEN 'finnish' WHEN 'fr' THEN 'french' WHEN 'ga' THEN 'irish' WHEN 'hi' THEN 'hindi'
          WHEN 'hu' THEN 'hungarian' WHEN 'hy' THEN 'armenian' WHEN 'id' THEN 'indonesian' WHEN 'it' THEN 'italian'
          WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali' WHEN 'nl' THEN 'dutch' WHEN 'no' THEN 'norwegian'
          WHEN 'nb' THEN 'norwegian' WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian'
          WHEN 'sr' THEN 'serbian' WHEN 'sv' THEN 'swedish' WHEN 'ta' THEN 'tamil' WHEN 'tr' THEN 'turkish'
          WHEN 'yi' THEN 'yiddish' ELSE 'simple' END)::regconfig
      $$`);
    await q.query(`ALTER TABLE interactions ADD COLUMN search_language text NOT NULL DEFAULT 'en'`);
    await q.query(
      `ALTER TABLE interactions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (${SEARCH_VECTOR}) STORED`,
    );
    await q.query(`
      CREATE TABLE IF NOT EXISTS typeorm_metadata (
        type varchar NOT NULL, database varchar, schema varchar, "table" varchar, name varchar, value text
      )`);
    await q.query(
      `INSERT INTO typeorm_metadata (type, database, schema, "table", name, value)
       VALUES ('GENERATED_COLUMN', current_database(), current_schema(), 'interactions', 'search_vector', $1)`,
      [SEARCH_VECTOR],
    );
    await q.query(
      `CREATE INDEX interactions_network_search_idx ON interactions USING gin (network_id, search_vector)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM typeorm_metadata WHERE type = 'GENERATED_COLUMN' AND "table" = 'interactions' AND name = 'search_vector'`,
    );
    await q.query(`DROP INDEX interactions_network_search_idx`);
    await q.query(`ALTER TABLE interactions DROP COLUMN search_vector`);
    await q.query(`ALTER TABLE interactions DROP COLUMN search_language`);
    await q.query(`DROP FUNCTION mira_search_config(text)`);
  }
}
