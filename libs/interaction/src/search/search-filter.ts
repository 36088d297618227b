import type { SearchFilter } from './search.repository.js';

/**
 * The search filters as SQL conditions on `interactions i` (each `AND …`), their values appended to `params`: the
 * same for the text and the semantic ranking.
 */
export function searchFilterSql(filter: SearchFilter, params: unknown[]): string {
  const conditions: string[] = [];
  if (filter.personId) {
    params.push(filter.personId);
    conditions.push(`AND i.person_id = $${params.length}`);
  }
  if (filter.since) {
    params.push(filter.since);
    conditions.push(`AND i.occurred_at >= $${params.length}`);
  }
  if (filter.until) {
    params.push(filter.until);
    conditions.push(`AND i.occurred_at < $${params.length}`);
  }
  return conditions.join(' ');
}
