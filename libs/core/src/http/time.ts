/** Every timestamp leaves the API as ISO 8601 UTC with a trailing Z. */
export function isoUtc(value: Date): string;
export function isoUtc(value: Date | null | undefined): string | null;
export function isoUtc(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}
