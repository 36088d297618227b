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
