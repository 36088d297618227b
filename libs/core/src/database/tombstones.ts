/** Kinds of rows whose deletion is remembered, so a repeated DELETE answers like the first one. */
export type TombstoneEntity = 'person' | 'conversation' | 'interaction' | 'recording';

/** Anything that runs SQL: a repository, an entity manager inside a transaction, a data source. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Records that a row of this network was deleted (idempotent). Use the deleting transaction's manager. */
export async function leaveTombstone(
  q: Queryable,
  networkId: string,
  entity: TombstoneEntity,
  id: string,
): Promise<void> {
  await q.query(
    `INSERT INTO tombstones (network_id, entity, entity_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [networkId, entity, id],
  );
}

/** Whether a row of this network was deleted before (as opposed to never having existed here). */
export async function hasTombstone(
  q: Queryable,
  networkId: string,
  entity: TombstoneEntity,
  id: string,
): Promise<boolean> {
  const rows = (await q.query(
    `SELECT 1 FROM tombstones WHERE network_id = $1 AND entity = $2 AND entity_id = $3`,
    [networkId, entity, id],
  )) as unknown[];
  return rows.length > 0;
}

/**
 * Forgets this network's deletions recorded before `cutoff` (the network's retention sweep): after that a repeated
 * DELETE of such an id answers 404 like an id that never existed. The primary key (network_id first) serves it; a
 * deleted network's tombstones go with it (foreign-key cascade). Returns how many were forgotten.
 */
export async function deleteTombstonesBefore(q: Queryable, networkId: string, cutoff: Date): Promise<number> {
  const [, count] = (await q.query(`DELETE FROM tombstones WHERE network_id = $1 AND deleted_at < $2`, [
    networkId,
    cutoff,
  ])) as [unknown, number];
  return Number(count ?? 0);
}
