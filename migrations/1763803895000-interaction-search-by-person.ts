import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The search GIN index carries person_id between network_id and search_vector (btree_gin), so a search filtered by
 * person intersects the network's, the person's and the words' postings inside the index and reads only the rows
 * that match all three. With (network_id, search_vector) alone a frequent word searched for one person either walked
 * all of the person's interactions newest first (fewer than the ranked cap match) or fetched every row of the
 * network containing the word to drop the other persons'. A search without person_id uses the same index: a GIN
 * column without a condition costs nothing at search time, so the index replaces the two-column one.
 */
export class InteractionSearchByPerson1763803895000 implements MigrationInterface {
  name = 'InteractionSearchByPerson1763803895000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX interactions_network_person_search_idx ON interactions
         USING gin (network_id, person_id, search_vector)`,
    );
    await q.query(`DROP INDEX interactions_network_search_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX interactions_network_search_idx ON interactions USING gin (network_id, search_vector)`,
    );
    await q.query(`DROP INDEX interactions_network_person_search_idx`);
  }
}
