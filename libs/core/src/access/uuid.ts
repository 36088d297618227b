import { Transform } from 'class-transformer';
import { CommonErrors } from '../errors/app-error.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** Throws the 422 that names the parameter when an id in the path or query is not a UUID. */
export function assertUuidParam(name: string, value: unknown): string {
  if (!isUuid(value)) {
    throw CommonErrors.validation(`${name} must be a UUID`, [
      { field: name, messages: [`${name} must be a UUID`] },
    ]);
  }
  return value.toLowerCase();
}

/** The one spelling of an id (UUIDs are compared, cached and bound into ciphertexts as lower case). */
export function canonicalId<T>(value: T): T {
  return (isUuid(value) ? value.toLowerCase() : value) as T;
}

/**
 * Path parameters that are names a device chose, compared exactly as written: a device or stream may be named in
 * the form of an upper-case UUID, and that name is not an id of ours.
 */
const NAME_PARAMS = new Set(['client_id', 'stream_id']);

/**
 * Lower-cases UUID path parameters (every `…_id` but device-chosen names) in place, so controllers, services,
 * caches and the rate limiter never see two spellings of one id (iOS writes upper case). The access guard does it
 * first on every route.
 */
export function canonicaliseIdParams(params: Record<string, string | string[]>): void {
  for (const [name, value] of Object.entries(params)) {
    if (name.endsWith('_id') && !NAME_PARAMS.has(name)) params[name] = canonicalId(value);
  }
}

/** DTO field transform: ids in a body or query (one, or an array of them) in their one spelling. */
export const CanonicalIds = () =>
  Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map(canonicalId) : canonicalId(value),
  );
