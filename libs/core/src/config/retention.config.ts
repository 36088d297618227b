import type { EnvReader } from './env-reader.js';

/** How long data is kept and how often the sweep removes what is past it (libs/retention, libs/audit). */
export interface RetentionConfigValues {
  retention: {
    defaultDays: number;
    auditDays: number;
    tombstoneDays: number;
    sweepEnabled: boolean;
    sweepIntervalSeconds: number;
  };
}

export function parseRetentionConfig(env: EnvReader): RetentionConfigValues {
  const { int, bool } = env;
  return {
    retention: {
      defaultDays: int('RETENTION_DEFAULT_DAYS', 90, 1, 36_500),
      auditDays: int('AUDIT_RETENTION_DAYS', 365, 1, 36_500),
      tombstoneDays: int('TOMBSTONE_RETENTION_DAYS', 30, 1, 36_500),
      sweepEnabled: bool('RETENTION_SWEEP_ENABLED', true),
      sweepIntervalSeconds: int('RETENTION_SWEEP_INTERVAL_SECONDS', 3600, 1, 86_400),
    },
  };
}
