import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  AppConfig,
  AppLogger,
  isDatabaseUnavailable,
  MetricsService,
  ShutdownCoordinator,
  type Tx,
} from '@mira/core';
import { JOB_PAYLOAD_SCHEMAS, JobName, type JobPayloads } from './job-catalogue.js';
import { JobStopped, type JobKind, parsePayload, PermanentJobError } from './job-payload.js';
import { ClaimedJob, JobsRepository } from './jobs.repository.js';

/** One run of a job, as its handler receives it (the payload already checked against its kind). */
export interface Job<P> {
  id: string;
  networkId: string;
  name: string;
  payload: P;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** No retry follows if this run fails: handlers settle for a fallback instead of failing (e.g. no transcript). */
  finalAttempt: boolean;
  /**
   * For long jobs: records progress (0–1, what GET /tasks/{task_id} shows) and renews the lease, so other instances
   * leave a job alone while it keeps reporting. Throws JobStopped when this run must stop: the job was cancelled, or
   * its lease ran out and another run took it over. Call it between steps that are safe to stop after.
   */
  checkpoint(progress: number): Promise<void>;
}

/** The job a handler of `N` receives: `async handle(job: JobOf<JobName.UtteranceProcess>)`. */
export type JobOf<N extends JobName> = Job<JobPayloads[N]>;

/** What a producer enqueues. */
export interface NewJob<P> {
  networkId: string;
  payload: P;
  /** A second job with the same name and key in the same network is not enqueued (enqueue answers null). */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export interface JobHandlerOptions {
  /** Default 120 s; a run that takes longer fails (and is retried). */
  timeoutMs?: number;
  /**
   * At most this many jobs of this name run at once in this process (the rest stay queued for others), so that long
   * CPU-bound jobs (the utterance pipeline) leave a slot for short latency-sensitive ones (stream arbitration).
   */
  concurrency?: number;
}

interface Registration {
  kind: JobKind<unknown>;
  handler: (job: Job<unknown>) => Promise<void>;
  timeoutMs: number;
  concurrency: number;
}

function kindOf<P>(nameOrKind: JobName | JobKind<P>): JobKind<P> {
  if (typeof nameOrKind !== 'string') return nameOrKind;
  return { name: nameOrKind, schema: JOB_PAYLOAD_SCHEMAS[nameOrKind] } as unknown as JobKind<P>;
}

/** Exponential backoff with jitter: 1 s, 2 s, 4 s, … capped at 5 minutes. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + 0.5 * random()));
}

/** Delayed jobs due within this horizon wake the worker when they fall due (later ones are found by polling). */
const WAKE_HORIZON_MS = 60_000;
/** The database's clock decides what is due: look a moment after the due time. */
const WAKE_MARGIN_MS = 5;
/**
 * Jobs falling due within one slot of this length share one wake-up at its end: the copies of one moment a room's
 * devices uploaded together fall due within milliseconds of each other, and a wake-up each cost a claim round (one or
 * two statements on the event loop) that only the first found work for.
 */
const WAKE_SLOT_MS = 25;

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
  /** The ends of the wake-up slots a timer is set for (WAKE_SLOT_MS). */
  private readonly wakeSlots = new Set<number>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;
  private stopped = true;

  constructor(
    private readonly repository: JobsRepository,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly shutdown: ShutdownCoordinator,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Handlers are methods marked `@OnJob(JobName.…)`, registered here at boot by the JobHandlerExplorer; a kind made
   * with defineJobKind (tests) is registered directly. One handler per name.
   */
  register<N extends JobName>(
    name: N,
    handler: (job: JobOf<N>) => Promise<void>,
    options?: JobHandlerOptions,
  ): void;
  register<P>(kind: JobKind<P>, handler: (job: Job<P>) => Promise<void>, options?: JobHandlerOptions): void;
  register<P>(
    nameOrKind: JobName | JobKind<P>,
    handler: (job: Job<P>) => Promise<void>,
    options: JobHandlerOptions = {},
  ): void {
    const kind = kindOf(nameOrKind);
    if (this.handlers.has(kind.name)) throw new Error(`A handler for job ${kind.name} is already registered`);
    this.handlers.set(kind.name, {
      kind: kind as JobKind<unknown>,
      handler: handler as (job: Job<unknown>) => Promise<void>,
      timeoutMs: options.timeoutMs ?? 120_000,
      concurrency: options.concurrency ?? Number.POSITIVE_INFINITY,
    });
  }

  /** The job names this process handles. */
  handledNames(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Enqueues a job; inside `tx` it commits (or rolls back) with the caller's writes. Answers the job id, or null when
   * the dedupe key already exists.
   */
  enqueue<N extends JobName>(name: N, job: NewJob<JobPayloads[N]>, tx?: Tx): Promise<string | null>;
  enqueue<P>(kind: JobKind<P>, job: NewJob<P>, tx?: Tx): Promise<string | null>;
  enqueue<P>(nameOrKind: JobName | JobKind<P>, job: NewJob<P>, tx?: Tx): Promise<string | null> {
    if (job.runAt) this.wakeAt(job.runAt);
    return this.repository.insert({ ...job, type: kindOf(nameOrKind).name }, tx);
  }

  /**
   * Enqueues a job unless one of `name` with the same dedupe key is queued or running (enqueue answers null then); a
   * finished job no longer holds its key, so the same work can be asked for again later. `continuing`: the running
   * job this one continues, which hands its key over (it is still running when it enqueues its successor).
   */
  enqueueWhileActive<N extends JobName>(
    name: N,
    job: NewJob<JobPayloads[N]> & { dedupeKey: string },
    continuing?: Job<unknown>,
  ): Promise<string | null>;
  enqueueWhileActive<P>(
    kind: JobKind<P>,
    job: NewJob<P> & { dedupeKey: string },
    continuing?: Job<unknown>,
  ): Promise<string | null>;
  enqueueWhileActive<P>(
    nameOrKind: JobName | JobKind<P>,
    job: NewJob<P> & { dedupeKey: string },
    continuing?: Job<unknown>,
  ): Promise<string | null> {
    return this.repository.insertWhileActive(
      { ...job, type: kindOf(nameOrKind).name },
      continuing?.id ?? null,
    );
  }

  /**
   * A job due soon is looked for when it is due (at the end of its WAKE_SLOT_MS slot) rather than at the next poll (a
   * stream's arbitration decides as soon as its window closes); the regular poll still finds it if this instance
   * stops or the timer fires early.
   */
  private wakeAt(runAt: Date): void {
    const delay = runAt.getTime() - Date.now();
    if (this.stopped || delay > WAKE_HORIZON_MS) return;
    const slotEnd = Math.ceil((runAt.getTime() + WAKE_MARGIN_MS) / WAKE_SLOT_MS) * WAKE_SLOT_MS;
    if (this.wakeSlots.has(slotEnd)) return;
    this.wakeSlots.add(slotEnd);
    setTimeout(
      () => {
        this.wakeSlots.delete(slotEnd);
        this.kick();
      },
      Math.max(0, slotEnd - Date.now()),
    ).unref();
  }

  /**
   * Inside `tx`: the queued jobs of `name` with these dedupe keys will not run, their work being done by the caller's
   * transaction (committed or rolled back with it); jobs already claimed run as usual.
   */
  settleQueued(name: JobName, networkId: string, dedupeKeys: string[], tx: Tx): Promise<void> {
    return this.repository.settleQueued(networkId, name, dedupeKeys, tx);
  }

  /** Ask the worker to look for work now (e.g. right after the enqueueing transaction committed). */
  kick(): void {
    if (!this.stopped) setImmediate(() => void this.poll());
  }

  stats() {
    return this.repository.stats();
  }

  /**
   * Cancels a job of the network that has not finished: a queued one never runs, a running one stops at its next
   * checkpoint (its handler sees JobStopped). False when it had already finished (or does not exist).
   */
  cancel(networkId: string, jobId: string, reason = 'cancelled'): Promise<boolean> {
    return this.repository.cancel(networkId, jobId, reason);
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
    if (this.stopped) return 0;
    if (this.polling) {
      // asked while a round runs (a job finished, a job fell due): another round follows this one
      this.pollAgain = true;
      return 0;
    }
    this.polling = true;
    this.pollAgain = false;
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
      if (this.pollAgain) this.kick();
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
          name: job.type,
          payload: parsePayload(registration.kind, job.payload),
          attempt: job.attempts,
          maxAttempts: job.maxAttempts,
          finalAttempt: job.attempts >= job.maxAttempts,
          checkpoint: async (progress: number) => {
            const fraction = Math.min(1, Math.max(0, Number.isFinite(progress) ? progress : 0));
            const owned = await this.repository.checkpoint(
              job.id,
              job.attempts,
              fraction,
              this.config.values.jobs.leaseMs,
            );
            if (!owned) throw new JobStopped(job.id);
          },
        }),
        registration.timeoutMs,
        `job ${job.type} timed out after ${registration.timeoutMs} ms`,
      );
      await this.repository.complete(job.id);
      this.logger.info('job_done', { ...log, duration_ms: Date.now() - started });
    } catch (err) {
      if (err instanceof JobStopped) {
        // cancelled, or taken over by another run: the job's row is no longer this run's to write
        this.logger.info('job_stopped', { ...log, duration_ms: Date.now() - started });
        return;
      }
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
