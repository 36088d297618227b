import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many interactions a network, each person and each conversation has, kept by the database.
 *
 * - interaction_counts: one row per network (person_id and conversation_id NULL), per person (person_id set) and per
 *   conversation (conversation_id set) that has had an interaction; `n` is exact in every snapshot, like the rows
 *   it counts. List totals and interaction_count are read from here instead of counting up to every interaction of
 *   the network on each request.
 * - Kept by statement-level triggers on interactions with transition tables: a bulk statement (a conversation's
 *   interactions deleted, a person's moved by a merge or detached by a delete, retention) changes each counter once.
 *   Foreign-key actions (ON DELETE CASCADE / SET NULL) run as statements too, so they are counted like any other.
 * - Increments upsert, decrements only update: the counter of a person, conversation or network deleted by the same
 *   statement is gone (its row goes by cascade), and a decrement never creates a row. n >= 0 makes a miscount fail
 *   loudly instead of drifting.
 * - Increments lock their counters in one order (network, persons, conversations) until commit: concurrent inserts
 *   into one network queue on its counter for the rest of their (short) transactions.
 * - The backfill runs with interactions locked against writes, so no row is counted twice or missed.
 */
const SCOPE_ORDER = 'network_id, person_id NULLS FIRST, conversation_id NULLS FIRST';

/** What an UPDATE statement moved: per person and per conversation, rows gained minus rows lost (not 0). */
const MOVES = `
  SELECT network_id, person_id, conversation_id, sum(k) AS n FROM (
    SELECT network_id, person_id, NULL::uuid AS conversation_id, 1 AS k FROM new_rows WHERE person_id IS NOT NULL
    UNION ALL SELECT network_id, person_id, NULL, -1 FROM old_rows WHERE person_id IS NOT NULL
    UNION ALL SELECT network_id, NULL, conversation_id, 1 FROM new_rows WHERE conversation_id IS NOT NULL
    UNION ALL SELECT network_id, NULL, conversation_id, -1 FROM old_rows WHERE conversation_id IS NOT NULL
  ) AS s
  GROUP BY network_id, person_id, conversation_id
  HAVING sum(k) <> 0`;

/** Decrements the counters of one scope by the rows `source` selects (network_id, key, n). */
function decrement(scope: 'network' | 'person' | 'conversation', source: string): string {
  const match =
    scope === 'network'
      ? 'c.person_id IS NULL AND c.conversation_id IS NULL'
      : scope === 'person'
        ? 'c.person_id = d.key AND c.conversation_id IS NULL'
        : 'c.conversation_id = d.key AND c.person_id IS NULL';
  return `UPDATE interaction_counts c SET n = c.n - d.n FROM (${source}) AS d(network_id, key, n)
          WHERE c.network_id = d.network_id AND ${match};`;
}

export class InteractionCounts1763803600000 implements MigrationInterface {
  name = 'InteractionCounts1763803600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interaction_counts (
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        person_id uuid,
        conversation_id uuid,
        n bigint NOT NULL CHECK (n >= 0),
        CONSTRAINT interaction_counts_one_scope CHECK (person_id IS NULL OR conversation_id IS NULL),
        CONSTRAINT interaction_counts_person_fkey FOREIGN KEY (network_id, person_id)
          REFERENCES persons(network_id, id) ON DELETE CASCADE,
        CONSTRAINT interaction_counts_conversation_fkey FOREIGN KEY (network_id, conversation_id)
          REFERENCES conversations(network_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX interaction_counts_scope_key
         ON interaction_counts (network_id, person_id, conversation_id) NULLS NOT DISTINCT`,
    );
    // A conversation's counter is looked up by (network_id, conversation_id), also by its cascade.
    await q.query(
      `CREATE INDEX interaction_counts_conversation_idx ON interaction_counts (network_id, conversation_id)
         WHERE conversation_id IS NOT NULL`,
    );

    await q.query(`
      CREATE FUNCTION interaction_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO interaction_counts AS c (network_id, person_id, conversation_id, n)
        SELECT network_id, person_id, conversation_id, count(*) FROM (
          SELECT network_id, NULL::uuid AS person_id, NULL::uuid AS conversation_id FROM new_rows
          UNION ALL SELECT network_id, person_id, NULL FROM new_rows WHERE person_id IS NOT NULL
          UNION ALL SELECT network_id, NULL, conversation_id FROM new_rows WHERE conversation_id IS NOT NULL
        ) AS s
        GROUP BY network_id, person_id, conversation_id
        ORDER BY ${SCOPE_ORDER}
        ON CONFLICT (network_id, person_id, conversation_id) DO UPDATE SET n = c.n + EXCLUDED.n;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION interaction_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${decrement('network', 'SELECT network_id, NULL::uuid, count(*) FROM old_rows GROUP BY network_id')}
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
      CREATE FUNCTION interaction_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.person_id IS DISTINCT FROM n.person_id OR o.conversation_id IS DISTINCT FROM n.conversation_id
        ) THEN
          RETURN NULL;
        END IF;
        INSERT INTO interaction_counts AS c (network_id, person_id, conversation_id, n)
        SELECT network_id, person_id, conversation_id, n FROM (${MOVES}) AS m WHERE n > 0
        ORDER BY ${SCOPE_ORDER}
        ON CONFLICT (network_id, person_id, conversation_id) DO UPDATE SET n = c.n + EXCLUDED.n;
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
      CREATE TRIGGER interaction_counts_insert AFTER INSERT ON interactions
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION interaction_counts_after_insert()`);
    await q.query(`
      CREATE TRIGGER interaction_counts_delete AFTER DELETE ON interactions
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION interaction_counts_after_delete()`);
    await q.query(`
      CREATE TRIGGER interaction_counts_update AFTER UPDATE ON interactions
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION interaction_counts_after_update()`);

    await q.query(`LOCK TABLE interactions IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`
      INSERT INTO interaction_counts (network_id, person_id, conversation_id, n)
      SELECT network_id, NULL::uuid, NULL::uuid, count(*) FROM interactions GROUP BY network_id
      UNION ALL
      SELECT network_id, person_id, NULL, count(*) FROM interactions WHERE person_id IS NOT NULL
      GROUP BY network_id, person_id
      UNION ALL
      SELECT network_id, NULL, conversation_id, count(*) FROM interactions WHERE conversation_id IS NOT NULL
      GROUP BY network_id, conversation_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER interaction_counts_update ON interactions`);
    await q.query(`DROP TRIGGER interaction_counts_delete ON interactions`);
    await q.query(`DROP TRIGGER interaction_counts_insert ON interactions`);
    await q.query(`DROP FUNCTION interaction_counts_after_update()`);
    await q.query(`DROP FUNCTION interaction_counts_after_delete()`);
    await q.query(`DROP FUNCTION interaction_counts_after_insert()`);
    await q.query(`DROP TABLE interaction_counts`);
  }
}
