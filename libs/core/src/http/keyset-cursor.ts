import { CommonErrors } from '../errors/app-error.js';

/**
 * Where a keyset page ends: the sort column's value of its last row (a UTC timestamp to the microsecond, as the
 * database holds it) and that row's id. The next page is the rows strictly after it in the list's order, found by
 * the same index as the first page, so page 1,000 costs what page 1 does, and rows inserted or deleted meanwhile
 * neither repeat nor skip rows.
 */
export interface KeysetPosition {
  key: string;
  id: string;
}

/** What a cursor was made for: it continues only the same network's list in the same order. */
export interface CursorScope {
  networkId: string;
  sort: string;
  order: 'asc' | 'desc';
}

const VERSION = 1;
const MAX_CURSOR_LENGTH = 400;
const MICROSECOND_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The opaque `cursor` a client sends back for the next page. Not a secret (it names a time and an id of the caller's
 * own network); opaque so that its shape may change without breaking clients.
 */
export function encodeCursor(scope: CursorScope, position: KeysetPosition): string {
  const payload = [VERSION, scope.networkId, scope.sort, scope.order, position.key, position.id];
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The position a cursor names; 400 INVALID_CURSOR unless it is well formed and made for this scope. */
export function decodeCursor(cursor: string, scope: CursorScope): KeysetPosition {
  const invalid = (why: string) => CommonErrors.invalidCursor(`cursor ${why}; start again without it`);
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid('is not one this API issued');
  }
  let payload: unknown;
  try {
    const json = Buffer.from(cursor, 'base64url').toString('utf8');
    // Base64 decoding forgives stray characters; only the exact encoding of what was decoded is one we issued.
    if (Buffer.from(json).toString('base64url') !== cursor) throw new Error('not canonical');
    payload = JSON.parse(json);
  } catch {
    throw invalid('is not one this API issued');
  }
  if (!Array.isArray(payload) || payload.length !== 6 || payload[0] !== VERSION) {
    throw invalid('is not one this API issued');
  }
  const [, networkId, sort, order, key, id] = payload as unknown[];
  if (typeof key !== 'string' || !MICROSECOND_UTC.test(key) || Number.isNaN(Date.parse(key))) {
    throw invalid('is not one this API issued');
  }
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid('is not one this API issued');
  if (networkId !== scope.networkId) throw invalid('belongs to another network');
  if (sort !== scope.sort || order !== scope.order) throw invalid('was made for another sort or order');
  return { key, id };
}
