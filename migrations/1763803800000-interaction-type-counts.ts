import { MigrationInterface, QueryRunner } from 'typeorm';
import { InteractionCounts1763803600000 } from './1763803600000-interaction-counts.js';

/**
 * Counters per interaction_type of a network in interaction_counts, beside the network's, each person's and each
 * conversation's: a v2 list filtered by interaction_type reads its exact total from one row instead of counting every
 * matching interaction.
 *
 * - interaction_counts.interaction_type: set on the rows of one type of one network (person_id and
 *   conversation_id NULL); NULL on every other row. A row has at most one scope.
 * - The statement-level triggers count the type too: an insert adds to its type, a delete takes from it, an update
 *   that changes interaction_type moves one from the old type to the new. Locks are taken in one order (the network,
 *   its types, conversations, persons) as before.
 * - The backfill counts the existing interactions per type with the table locked against writes.
 * - down goes back to the counters without types (the previous migration's state, recounted).
 */
const SCOPE_ORDER =
  'network_id, person_id NULLS FIRST, conversation_id NULLS FIRST, interaction_type NULLS FIRST';
const NETWORK = 'c.person_id IS NULL AND c.conversation_id IS NULL';

/** What an UPDATE statement moved: per person, conversation and type, rows gained minus rows lost (not 0). */
const MOVES = `
  SELECT network_id, person_id, conversation_id, interaction_type, sum(k) AS n FROM (
    SELECT network_id, person_id, NULL::uuid AS conversation_id, NULL::text AS interaction_type, 1 AS k
      FROM new_rows WHERE person_id IS NOT NULL
    UNION ALL SELECT network_id, person_id, NULL, NULL, -1 FROM old_rows WHERE person_id IS NOT NULL
    UNION ALL SELECT network_id, NULL, conversation_id, NULL, 1 FROM new_rows WHERE conversation_id IS NOT NULL
    UNION ALL SELECT network_id, NULL, conversation_id, NULL, -1 FROM old_rows WHERE conversation_id IS NOT NULL
    UNION ALL SELECT network_id, NULL, NULL, interaction_type, 1 FROM new_rows
    UNION ALL SELECT network_id, NULL, NULL, interaction_type, -1 FROM old_rows
  ) AS s
  GROUP BY network_id, person_id, conversation_id, interaction_type
  HAVING sum(k) <> 0`;

/** Decrements the counters of one scope by the rows `source` selects (network_id, key, n). */
function decrement(scope: 'network' | 'type' | 'person' | 'conversation', source: string): string {
  const match = {
    network: `${NETWORK} AND c.interaction_type IS NULL`,
    type: `${NETWORK} AND c.interaction_type = d.key`,
    person: 'c.person_id = d.key AND c.conversation_id IS NULL',
    conversation: 'c.conversation_id = d.key AND c.person_id IS NULL',
  }[scope];
  return `UPDATE interaction_counts c SET n = c.n - d.n FROM (${source}) AS d(network_id, key, n)
          WHERE c.network_id = d.network_id AND ${match};`;
}

const UPSERT = `ORDER BY ${SCOPE_ORDER}
  ON CONFLICT (network_id, person_id, conversation_id, interaction_type) DO UPDATE SET n = c.n + EXCLUDED.n;`;

export class InteractionTypeCounts1763803800000 implements MigrationInterface {
  name = 'InteractionTypeCounts1763803800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE interactions IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`ALTER TABLE interaction_counts ADD COLUMN interaction_type text`);
    await q.query(`ALTER TABLE interaction_counts DROP CONSTRAINT interaction_counts_one_scope`);
    await q.query(
      `ALTER TABLE interaction_counts ADD CONSTRAINT interaction_counts_one_scope
         CHECK (num_nonnulls(person_id, conversation_id, interaction_type) <= 1)`,
    );
    await q.query(`DROP INDEX interaction_counts_scope_key`);
    await q.query(
      `CREATE UNIQUE INDEX interaction_counts_scope_key
         ON interaction_counts (network_id, person_id, conversation_id, interaction_type) NULLS NOT DISTINCT`,
    );

    await q.query(`
      CREATE OR REPLACE FUNCTION interaction_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO interaction_counts AS c (network_id, person_id, conversation_id, interaction_type, n)
        SELECT network_id, person_id, conversation_id, interaction_type, count(*) FROM (
          SELECT network_id, NULL::uuid AS person_id, NULL::uuid AS conversation_id, NULL::text AS interaction_type
            FROM new_rows
          UNION ALL SELECT network_id, NULL, NULL, interaction_type FROM new_rows
          UNION ALL SELECT network_id, person_id, NULL, NULL FROM new_rows WHERE person_id IS NOT NULL
          UNION ALL SELECT network_id, NULL, conversation_id, NULL FROM new_rows WHERE conversation_id IS NOT NULL
        ) AS s
        GROUP BY network_id, person_id, conversation_id, interaction_type
        ${UPSERT}
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION interaction_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${decrement('network', 'SELECT network_id, NULL::uuid, count(*) FROM old_rows GROUP BY network_id')}
        ${decrement(
          'type',
          'SELECT network_id, interaction_type, count(*) FROM old_rows GROUP BY network_id, interaction_type',
        )}
        ${decrement(
          'person',
          `SELECT network_id, person_id, count(*) FROM old_rows WHERE person_id IS NOT NULL
           GROUP BY network_id, person_id`,
        )}
        ${decrement(
          'conversation',
          `SELECT network_id, conversation_id, count(*) FROM old_rows WHERE conversation_id IS NOT NULL
           GROUP BY network_id, conversation_id`,
        )}
        RETURN NULL;
      END $$`);
    // network_id never changes; most updates (status, content) move nothing and leave at the first check.
    await q.query(`
      CREATE OR REPLACE FUNCTION interaction_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.person_id IS DISTINCT FROM n.person_id OR o.conversation_id IS DISTINCT FROM n.conversation_id
             OR o.interaction_type IS DISTINCT FROM n.interaction_type
        ) THEN
          RETURN NULL;
        END IF;
        INSERT INTO interaction_counts AS c (network_id, person_id, conversation_id, interaction_type, n)
        SELECT network_id, person_id, conversation_id, interaction_type, n FROM (${MOVES}) AS m WHERE n > 0
        ${UPSERT}
        ${decrement(
          'type',
          `SELECT network_id, interaction_type, -n FROM (${MOVES}) AS m
           WHERE n < 0 AND interaction_type IS NOT NULL`,
        )}
        ${decrement(
          'person',
          `SELECT network_id, person_id, -n FROM (${MOVES}) AS m WHERE n < 0 AND person_id IS NOT NULL`,
        )}
        ${decrement(
          'conversation',
          `SELECT network_id, conversation_id, -n FROM (${MOVES}) AS m
           WHERE n < 0 AND conversation_id IS NOT NULL`,
        )}
        RETURN NULL;
      END $$`);

    await q.query(`
      INSERT INTO interaction_counts (network_id, interaction_type, n)
      SELECT network_id, interaction_type, count(*) FROM interactions GROUP BY network_id, interaction_type`);
  }

  async down(q: QueryRunner): Promise<void> {
    await new InteractionCounts1763803600000().down(q);
    await new InteractionCounts1763803600000().up(q);
  }
}
