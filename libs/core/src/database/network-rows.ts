/** Anything that runs SQL: a repository, an entity manager inside a transaction, a data source. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * How many rows every table with a `network_id` column holds for these networks, by table (tables without any are
 * left out). Read from the schema itself, so a table added by any later migration is counted too.
 */
export async function countRowsOfNetworks(
  q: Queryable,
  networkIds: string[],
): Promise<Record<string, number>> {
  if (networkIds.length === 0) return {};
  const tables = (await q.query(
    `SELECT c.table_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND c.column_name = 'network_id' AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name`,
  )) as { table_name: string }[];
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const rows = (await q.query(
      `SELECT count(*)::int AS n FROM "${table.replace(/"/g, '""')}" WHERE network_id = ANY($1::uuid[])`,
      [networkIds],
    )) as { n: number }[];
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) counts[table] = n;
  }
  return counts;
}
