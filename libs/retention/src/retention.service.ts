import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, AppLogger, HookRegistry, isDatabaseUnavailable } from '@mira/core';
import { AuditService } from '@mira/audit';
import { JobName, type JobOf, JobQueue, OnJob } from '@mira/jobs';
import { NetworkService } from '@mira/network';
import { retentionCutoff, retentionDays, sweepDedupeKey } from './retention.policy.js';
import { RetentionTarget } from './retention-target.js';
import { RetentionRepository } from './retention.repository.js';

export interface SweepResult {
  networkId: string;
  retentionDays: number;
  cutoff: string;
  deleted: Record<string, number>;
  /** Tombstones older than TOMBSTONE_RETENTION_DAYS forgotten by this sweep. */
  tombstonesDeleted: number;
}

/**
 * Scheduled data retention. Every RETENTION_SWEEP_INTERVAL_SECONDS each instance enqueues one `retention.sweep`
 * job per network with a dedupe key per interval, so however many instances run, each network is swept once per
 * interval; the job queue gives it retries and crash resume. The job deletes the network's data of every
 * RetentionTarget (interactions, stored audio, ...) older than its retention (settings.retention_days, else RETENTION_DEFAULT_DAYS).
 * Voiceprints are not swept: they go with their person (foreign-key cascade).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly hooks: HookRegistry,
    private readonly repository: RetentionRepository,
    private readonly jobs: JobQueue,
    private readonly networks: NetworkService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    const { sweepEnabled, sweepIntervalSeconds } = this.config.values.retention;
    if (!sweepEnabled || !this.config.values.jobs.workerEnabled) return;
    const intervalMs = sweepIntervalSeconds * 1000;
    // First round shortly after boot (not during it), then every interval.
    this.timer = setTimeout(() => this.tick(intervalMs), Math.min(intervalMs, 60_000));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private tick(intervalMs: number): void {
    this.schedule(new Date())
      .catch((err: unknown) => {
        if (!isDatabaseUnavailable(err)) {
          this.logger.error('retention_schedule_failed', {
            error_message: err instanceof Error ? err.message.slice(0, 300) : String(err),
          });
        }
      })
      .finally(() => {
        this.timer = setTimeout(() => this.tick(intervalMs), intervalMs);
        this.timer.unref();
      });
  }

  /** Enqueues this interval's sweep for every network (deduplicated) and expires audit rows. */
  async schedule(now: Date): Promise<{ enqueued: number; auditDeleted: number; rateWindowsDeleted: number }> {
    const dedupeKey = sweepDedupeKey(now, this.config.values.retention.sweepIntervalSeconds);
    let enqueued = 0;
    let after: string | undefined;
    for (;;) {
      const ids = await this.networks.listIdsAfter(after, 500);
      for (const networkId of ids) {
        if (await this.jobs.enqueue(JobName.RetentionSweep, { networkId, payload: {}, dedupeKey }))
          enqueued += 1;
      }
      if (ids.length < 500) break;
      after = ids[ids.length - 1];
    }
    if (enqueued > 0) this.jobs.kick();
    const auditDeleted = await this.audit.deleteOlderThan(
      retentionCutoff(now, this.config.values.retention.auditDays),
    );
    const rateWindowsDeleted = await this.repository.deleteRateLimitWindowsBefore(
      new Date(now.getTime() - 2 * this.config.values.rateLimit.windowSeconds * 1000),
    );
    this.logger.info('retention_scheduled', {
      networks: enqueued,
      audit_deleted: auditDeleted,
      rate_windows_deleted: rateWindowsDeleted,
    });
    return { enqueued, auditDeleted, rateWindowsDeleted };
  }

  /** Deletes one network's expired data now (the job handler; also used by tests and tooling). */
  async sweepNetwork(networkId: string, now: Date = new Date()): Promise<SweepResult> {
    const days = retentionDays(
      await this.networks.settings(networkId),
      this.config.values.retention.defaultDays,
    );
    const cutoff = retentionCutoff(now, days);
    const deleted: Record<string, number> = {};
    for (const target of this.hooks.all(RetentionTarget)) {
      deleted[target.retentionName] = await target.purgeBefore(networkId, cutoff);
    }
    // deletions are remembered for their own period (bookkeeping, not personal data: not in `deleted`)
    const tombstonesDeleted = await this.repository.deleteTombstonesBefore(
      networkId,
      retentionCutoff(now, this.config.values.retention.tombstoneDays),
    );
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);
    if (total > 0) {
      await this.audit.record({
        networkId,
        action: 'retention.swept',
        targetType: 'network',
        targetId: networkId,
        details: { retention_days: days, cutoff: cutoff.toISOString(), deleted },
        actor: { kind: 'system', id: null },
      });
    }
    this.logger.info('retention_swept', {
      network_id: networkId,
      retention_days: days,
      deleted: total,
      tombstones_deleted: tombstonesDeleted,
    });
    return { networkId, retentionDays: days, cutoff: cutoff.toISOString(), deleted, tombstonesDeleted };
  }

  @OnJob(JobName.RetentionSweep, { timeoutMs: 600_000 })
  async onSweepJob(job: JobOf<JobName.RetentionSweep>): Promise<void> {
    try {
      await this.sweepNetwork(job.networkId);
    } catch (err) {
      // The network was deleted between enqueue and run: nothing left to sweep.
      if ((err as { status?: number }).status === 404) return;
      throw err;
    }
  }
}
