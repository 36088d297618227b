/** Two digits, zero-padded. */
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
/** Three digits, zero-padded. */
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * Every timestamp leaves the API as ISO 8601 UTC with a trailing Z: `Date.prototype.toISOString`'s text, composed
 * from the UTC fields for the years 1000–9999 because V8's own formatting costs two to three times as much, and
 * a list page formats three per row. Other years (and an invalid date, which throws) go through toISOString.
 */
export function isoUtc(value: Date): string;
export function isoUtc(value: Date | null | undefined): string | null;
export function isoUtc(value: Date | null | undefined): string | null {
  if (!value) return null;
  const year = value.getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) return value.toISOString();
  return `${year}-${pad2(value.getUTCMonth() + 1)}-${pad2(value.getUTCDate())}T${pad2(value.getUTCHours())}:${pad2(
    value.getUTCMinutes(),
  )}:${pad2(value.getUTCSeconds())}.${pad3(value.getUTCMilliseconds())}Z`;
}
