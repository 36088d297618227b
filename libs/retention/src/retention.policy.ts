/** A network's retention in days: its settings.retention_days when valid, else the configured default. */
export function retentionDays(
  settings: Record<string, unknown> | null | undefined,
  fallback: number,
): number {
  const value = settings?.['retention_days'];
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 36_500
    ? value
    : fallback;
}

export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/** The dedupe key of the sweep for the interval containing `now`: at most one sweep per network per interval. */
export function sweepDedupeKey(now: Date, intervalSeconds: number): string {
  const bucket = Math.floor(now.getTime() / (intervalSeconds * 1000)) * intervalSeconds * 1000;
  return `sweep:${new Date(bucket).toISOString()}`;
}
