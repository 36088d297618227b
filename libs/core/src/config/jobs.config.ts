import type { EnvReader } from './env-reader.js';

/** The PostgreSQL job queue's worker on this instance (libs/jobs). */
export interface JobsConfigValues {
  jobs: { workerEnabled: boolean; pollIntervalMs: number; concurrency: number; leaseMs: number };
}

export function parseJobsConfig(env: EnvReader): JobsConfigValues {
  const { int, bool } = env;
  return {
    jobs: {
      workerEnabled: bool('JOBS_WORKER_ENABLED', true),
      pollIntervalMs: int('JOBS_POLL_INTERVAL_MS', 250, 10, 60_000),
      concurrency: int('JOBS_CONCURRENCY', 2, 1, 64),
      leaseMs: int('JOBS_LEASE_MS', 120_000, 1000, 3_600_000),
    },
  };
}
