import type { KeysetPosition } from '@mira/core';
import { INTERACTION_COLUMNS } from './interaction.rows.js';
import type { InteractionType } from './interaction.types.js';

export interface InteractionFilter {
  personId?: string;
  conversationId?: string;
  /** Any of these conversations (the apps' bootstrap). */
  conversationIds?: string[];
  /** Only interactions in no conversation. */
  orphansOnly?: boolean;
  interactionType?: InteractionType;
  since?: Date;
  until?: Date;
}

export type InteractionSort = 'occurred_at' | 'created_at';

export interface InteractionPage {
  limit: number;
  offset: number;
  sort: InteractionSort;
  order: 'asc' | 'desc';
  /** Keyset: only rows after this one in the page's order (offset is then 0). */
  after?: KeysetPosition;
}

/** The sort column of each row to the microsecond in UTC: the key of a keyset cursor. */
const cursorKey = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_key`;

/**
 * The counter of interaction_counts (kept by triggers) that answers a filter's total exactly: the whole network, one
 * person, one conversation, or one interaction_type of the network. Other filters (a type with a person or a
 * conversation, a time range, several conversations, no conversation) are counted.
 */
function counterOf(filter: InteractionFilter): { scope: string; key?: string } | null {
  const { personId, conversationId, interactionType, ...others } = filter;
  if (Object.values(others).some((value) => value !== undefined && value !== false)) return null;
  if ([personId, conversationId, interactionType].filter(Boolean).length > 1) return null;
  // Each counter row has at most one scope set (the others NULL).
  if (personId) return { scope: 'person_id = $2 AND conversation_id IS NULL', key: personId };
  if (conversationId) return { scope: 'conversation_id = $2 AND person_id IS NULL', key: conversationId };
  const network = 'person_id IS NULL AND conversation_id IS NULL';
  if (interactionType) return { scope: `${network} AND interaction_type = $2`, key: interactionType };
  return { scope: `${network} AND interaction_type IS NULL` };
}

/**
 * The SQL of one page of a network's interactions and of its exact total. Every filter combination is served by an
 * index that starts with network_id (all / by person / by conversation / by type, each ordered by occurred_at, id),
 * and so is a keyset position: `(occurred_at, id) < (key, id)` is an index condition there. One row more than the
 * page is read to tell whether another page follows.
 */
export function interactionListSql(
  networkId: string,
  filter: InteractionFilter,
  page: InteractionPage,
): { pageSql: string; pageParams: unknown[]; countSql: string; countParams: unknown[] } {
  const where = ['network_id = $1'];
  const params: unknown[] = [networkId];
  const match = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.personId) match((p) => `person_id = ${p}`, filter.personId);
  if (filter.conversationId) match((p) => `conversation_id = ${p}`, filter.conversationId);
  if (filter.conversationIds) match((p) => `conversation_id = ANY(${p}::uuid[])`, filter.conversationIds);
  if (filter.orphansOnly) where.push('conversation_id IS NULL');
  if (filter.interactionType) match((p) => `interaction_type = ${p}`, filter.interactionType);
  if (filter.since) match((p) => `occurred_at >= ${p}`, filter.since);
  if (filter.until) match((p) => `occurred_at < ${p}`, filter.until);
  const conditions = where.join(' AND ');
  const counted = [...params];
  const direction = page.order === 'asc' ? 'ASC' : 'DESC';
  const column = page.sort === 'created_at' ? 'created_at' : 'occurred_at';
  if (page.after) {
    params.push(page.after.key, page.after.id);
    const n = params.length;
    where.push(`(${column}, id) ${page.order === 'asc' ? '>' : '<'} ($${n - 1}::timestamptz, $${n}::uuid)`);
  }
  const pageConditions = where.join(' AND ');
  const order = `ORDER BY ${column} ${direction}, id ${direction}`;
  const bounds = `LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
  const offset = page.after ? 0 : page.offset;
  // Past the first page, the skipped rows are walked in the index alone (an index-only scan of ids) and only the
  // page's rows are read from the table: an offset costs index entries, not row reads.
  const pageSql =
    offset > 0
      ? `SELECT ${INTERACTION_COLUMNS}, ${cursorKey(column)} FROM
           (SELECT id AS page_id FROM interactions WHERE ${pageConditions} ${order} ${bounds}) AS page
           JOIN interactions ON network_id = $1 AND id = page.page_id
         ${order}`
      : `SELECT ${INTERACTION_COLUMNS}, ${cursorKey(column)} FROM interactions WHERE ${pageConditions} ${order} ${bounds}`;
  const counter = counterOf(filter);
  const [countSql, countParams] = counter
    ? [
        `SELECT COALESCE((SELECT n FROM interaction_counts WHERE network_id = $1 AND ${counter.scope}), 0)::int AS n`,
        counter.key === undefined ? [networkId] : [networkId, counter.key],
      ]
    : // count(*), not count(DISTINCT id): the rows are unique already, and DISTINCT sorts every matching id.
      [`SELECT count(*)::int AS n FROM interactions WHERE ${conditions}`, counted];
  return { pageSql, pageParams: [...params, page.limit + 1, offset], countSql, countParams };
}
