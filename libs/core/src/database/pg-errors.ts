import { QueryFailedError } from 'typeorm';

/** What PostgreSQL says about a failed statement (SQLSTATE code, and the constraint when one was violated). */
export interface PgErrorInfo {
  code: string;
  constraint?: string;
  detail?: string;
}

/** The PostgreSQL error behind a failed query, or null for anything else. Repositories translate it; nobody else. */
export function pgErrorOf(err: unknown): PgErrorInfo | null {
  if (!(err instanceof QueryFailedError)) return null;
  const driver = err.driverError as Partial<PgErrorInfo> | undefined;
  return typeof driver?.code === 'string' ? (driver as PgErrorInfo) : null;
}

/** 23505: a unique constraint refused the row. */
export function isUniqueViolation(err: unknown): boolean {
  return pgErrorOf(err)?.code === '23505';
}

/** 23503: a foreign key points at a row that is not (or no longer) there; returns the constraint and detail text. */
export function foreignKeyViolation(err: unknown): string | null {
  const info = pgErrorOf(err);
  if (info?.code !== '23503') return null;
  return `${info.constraint ?? ''} ${info.detail ?? ''}`;
}

/** 40P01 / 40001: the transaction lost a deadlock or a serialization race; running it again can succeed. */
export function isTransientConflict(err: unknown): boolean {
  const code = pgErrorOf(err)?.code;
  return code === '40P01' || code === '40001';
}
