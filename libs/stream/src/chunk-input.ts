import { CommonErrors, FieldError } from '@mira/core';

/**
 * Stream ids are device-chosen names; these words are routes under /streams and cannot be stream ids, in any letter
 * case (routes match case-insensitively: a stream "Best" could be written but never read).
 */
export const RESERVED_STREAM_IDS = new Set(['best', 'scores', 'phone']);
export const STREAM_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_METADATA_BYTES = 4096;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** A capture time further than this from the server's clock is refused (a broken clock, or a unit mix-up). */
export const MAX_CLOCK_DISTANCE_MS = 7 * 24 * 3600 * 1000;

export interface ChunkFields {
  capturedAt: Date;
  metadata: Record<string, unknown> | null;
  seq: number | null;
  idempotencyKey: string | null;
}

/**
 * Validates the multipart text fields of an audio chunk; collects every problem into one 422.
 * - timestamp: ISO 8601 (a value without a zone is read as UTC) or epoch milliseconds; within 7 days of now.
 * - metadata: optional JSON object, at most 4 KiB.
 * - seq: optional integer 0 … 2^53-1, unique per stream (retries with the same seq are absorbed).
 * - Idempotency-Key header: optional, 1–255 printable ASCII characters.
 */
export function parseChunkFields(
  body: Record<string, unknown>,
  idempotencyHeader: string | undefined,
  nowMs: number,
): ChunkFields {
  const problems: FieldError[] = [];
  const capturedAt = parseTimestamp(body['timestamp'], nowMs, problems);
  const metadata = parseMetadata(body['metadata'], problems);
  const seq = parseSeq(body['seq'], problems);
  const idempotencyKey = parseIdempotencyKey(idempotencyHeader, problems);
  if (problems.length > 0) {
    throw CommonErrors.validation(problems.map((p) => p.messages.join('; ')).join('; '), problems);
  }
  return { capturedAt: capturedAt as Date, metadata, seq, idempotencyKey };
}

function parseTimestamp(raw: unknown, nowMs: number, problems: FieldError[]): Date | null {
  if (typeof raw !== 'string' || raw.trim() === '') {
    problems.push({
      field: 'timestamp',
      messages: ['timestamp is required: the capture time of the first sample (ISO 8601 or epoch ms)'],
    });
    return null;
  }
  return parseDeviceTime('timestamp', raw, nowMs, problems);
}

/**
 * A time on a device's clock: ISO 8601 (a value without a zone is read as UTC) or epoch milliseconds, within 7 days
 * of the server's clock. Null (with the problem recorded under `field`) otherwise.
 */
export function parseDeviceTime(
  field: string,
  raw: string,
  nowMs: number,
  problems: FieldError[],
): Date | null {
  const fail = (message: string) => {
    problems.push({ field, messages: [message] });
    return null;
  };
  const text = raw.trim();
  let ms: number;
  if (/^\d{1,16}$/.test(text)) {
    ms = Number(text);
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
    ms = Date.parse(zoned);
  } else {
    return fail(`${field} must be ISO 8601 (e.g. 2026-01-01T12:00:00.000Z) or epoch milliseconds`);
  }
  if (!Number.isFinite(ms)) return fail(`${field} is not a valid date`);
  if (Math.abs(ms - nowMs) > MAX_CLOCK_DISTANCE_MS) {
    return fail(`${field} is more than 7 days away from the server clock (is it in seconds, not ms?)`);
  }
  return new Date(ms);
}

function parseMetadata(raw: unknown, problems: FieldError[]): Record<string, unknown> | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const fail = (message: string) => {
    problems.push({ field: 'metadata', messages: [message] });
    return null;
  };
  if (typeof raw !== 'string') return fail('metadata must be a JSON object sent as a text field');
  if (Buffer.byteLength(raw, 'utf8') > MAX_METADATA_BYTES) {
    return fail(`metadata must be at most ${MAX_METADATA_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('metadata is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('metadata must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function parseSeq(raw: unknown, problems: FieldError[]): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const text = typeof raw === 'string' ? raw.trim() : String(raw);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    problems.push({ field: 'seq', messages: ['seq must be a non-negative integer'] });
    return null;
  }
  return Number(text);
}

function parseIdempotencyKey(raw: string | undefined, problems: FieldError[]): string | null {
  if (raw === undefined) return null;
  if (raw.length < 1 || raw.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(raw)) {
    problems.push({
      field: 'Idempotency-Key',
      messages: ['Idempotency-Key must be 1-255 printable ASCII characters without spaces'],
    });
    return null;
  }
  return raw;
}

/** Validates a stream id from the path (422 naming the parameter). */
export function assertStreamId(value: string): string {
  if (!STREAM_ID_PATTERN.test(value) || RESERVED_STREAM_IDS.has(value.toLowerCase())) {
    const message =
      'stream_id must be 1-64 characters of letters, digits, ".", "-" or "_" and not best, scores or phone';
    throw CommonErrors.validation(message, [{ field: 'stream_id', messages: [message] }]);
  }
  return value;
}
