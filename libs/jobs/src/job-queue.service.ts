import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig, AppLogger, isDatabaseUnavailable, MetricsService, ShutdownCoordinator } from '@mira/core';
import { ClaimedJob, JobsRepository, NewJob } from './jobs.repository.js';

export interface JobContext {
  id: string;
  networkId: string;
  type: string;
  payload: Record<string, unknown>;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler = (job: JobContext) => Promise<void>;

/** Thrown by a handler for an input that will never succeed: the job fails at once instead of retrying. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

interface Registration {
  handler: JobHandler;
  timeoutMs: number;
  /** At most this many jobs of this type run at once in this process (the rest stay queued for others). */
  concurrency: number;
}

/** Exponential backoff with jitter: 1 s, 2 s, 4 s, … capped at 5 minutes. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + 0.5 * random()));
}

/**
 * A PostgreSQL-backed job queue. Jobs are enqueued in the caller's transaction (so accepted work and its job
 * commit together), claimed with FOR UPDATE SKIP LOCKED by any instance, retried with backoff, and resumed after
 * a crash when their lease expires. Handlers must be idempotent: a job can run more than once.
 */
@Injectable()
export class JobQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly handlers = new Map<string, Registration>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly runningByType = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private stopped = true;

  constructor(
    private readonly repository: JobsRepository,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly shutdown: ShutdownCoordinator,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Domain modules register their handlers in onModuleInit. `concurrency` caps how many jobs of this type one
   * process runs at once, so that long CPU-bound jobs (the utterance pipeline) leave a slot for short
   * latency-sensitive ones (stream arbitration).
   */
  registerHandler(
    type: string,
    handler: JobHandler,
    options: { timeoutMs?: number; concurrency?: number } = {},
  ): void {
    if (this.handlers.has(type)) throw new Error(`A handler for job type ${type} is already registered`);
    this.handlers.set(type, {
      handler,
      timeoutMs: options.timeoutMs ?? 120_000,
      concurrency: options.concurrency ?? Number.POSITIVE_INFINITY,
    });
  }

  enqueue(job: NewJob, manager?: EntityManager): Promise<string | null> {
    return this.repository.insert(job, manager);
  }

  /** Ask the worker to look for work now (e.g. right after the enqueueing transaction committed). */
  kick(): void {
    if (!this.stopped) setImmediate(() => void this.poll());
  }

  stats() {
    return this.repository.stats();
  }

  onApplicationBootstrap(): void {
    this.metrics.registerJobQueueSampler(() => this.repository.depthByType());
    if (!this.config.values.jobs.workerEnabled) return;
    // SIGTERM: stop claiming and let running jobs finish; an unfinished one is resumed by the next instance.
    this.shutdown.onDrain('jobs', () => this.drain(this.config.values.shutdownTimeoutMs));
    this.stopped = false;
    this.schedule();
  }

  /** Stop claiming, then let running jobs finish within the shutdown bound; unfinished ones resume elsewhere. */
  async onApplicationShutdown(): Promise<void> {
    await this.drain(this.config.values.shutdownTimeoutMs);
  }

  async drain(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]).then(() => undefined), deadline]);
  }

  /** Runs one claim-and-execute round; exposed for tests and tooling. Returns the number of jobs claimed. */
  async poll(): Promise<number> {
    if (this.polling || this.stopped) return 0;
    this.polling = true;
    try {
      const free = this.config.values.jobs.concurrency - this.inFlight.size;
      if (free <= 0) return 0;
      const leaseMs = this.config.values.jobs.leaseMs;
      const entries = [...this.handlers.entries()];
      // Types without a cap first (short jobs), then each capped type within its remaining allowance.
      const jobs = await this.repository.claim(
        entries.filter(([, r]) => r.concurrency === Number.POSITIVE_INFINITY).map(([type]) => type),
        free,
        leaseMs,
      );
      for (const [type, r] of entries) {
        if (r.concurrency === Number.POSITIVE_INFINITY) continue;
        const allowance = Math.min(free - jobs.length, r.concurrency - (this.runningByType.get(type) ?? 0));
        if (allowance > 0) jobs.push(...(await this.repository.claim([type], allowance, leaseMs)));
      }
      for (const job of jobs) {
        this.runningByType.set(job.type, (this.runningByType.get(job.type) ?? 0) + 1);
        const run = this.execute(job).finally(() => {
          this.inFlight.delete(run);
          this.runningByType.set(job.type, (this.runningByType.get(job.type) ?? 1) - 1);
          this.kick();
        });
        this.inFlight.add(run);
      }
      return jobs.length;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) {
        this.logger.error('job_poll_failed', {
          error_message: err instanceof Error ? err.message : String(err),
        });
      }
      return 0;
    } finally {
      this.polling = false;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.poll();
      this.schedule();
    }, this.config.values.jobs.pollIntervalMs);
    this.timer.unref();
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const registration = this.handlers.get(job.type);
    const started = Date.now();
    const log = { job_id: job.id, job_type: job.type, network_id: job.networkId, attempt: job.attempts };
    if (!registration) return;
    try {
      await withTimeout(
        registration.handler({
          id: job.id,
          networkId: job.networkId,
          type: job.type,
          payload: job.payload,
          attempt: job.attempts,
          maxAttempts: job.maxAttempts,
        }),
        registration.timeoutMs,
        `job ${job.type} timed out after ${registration.timeoutMs} ms`,
      );
      await this.repository.complete(job.id);
      this.logger.info('job_done', { ...log, duration_ms: Date.now() - started });
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const permanent = err instanceof PermanentJobError;
      try {
        if (permanent || job.attempts >= job.maxAttempts) {
          await this.repository.fail(job.id, message);
          this.logger.error('job_failed', { ...log, permanent, error_message: message });
        } else {
          const delay = retryDelayMs(job.attempts);
          await this.repository.retryLater(job.id, message, new Date(Date.now() + delay));
          this.logger.warn('job_retry_scheduled', { ...log, delay_ms: delay, error_message: message });
        }
      } catch (bookkeeping) {
        // The database is away; the lease expires and the job is picked up again later.
        this.logger.warn('job_bookkeeping_failed', {
          ...log,
          error_message: bookkeeping instanceof Error ? bookkeeping.message : String(bookkeeping),
        });
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
