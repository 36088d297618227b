import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tx } from '@mira/core';

export interface NewJobRow {
  networkId: string;
  type: string;
  payload: unknown;
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export interface ClaimedJob {
  id: string;
  networkId: string;
  type: string;
  /** As stored: checked against the job's kind before its handler sees it. */
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

/** A job as its task view shows it (the jobs a client may follow: TASK_JOBS). */
export interface TaskRow {
  id: string;
  type: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: number | null;
  lastError: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface ClaimedRow {
  id: string;
  network_id: string;
  type: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

/** The only SQL of the job queue. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts in the caller's transaction when one is given; returns null when the dedupe key already exists. */
  async insert(job: NewJobRow, tx?: Tx): Promise<string | null> {
    const rows = (await Tx.manager(tx, this.dataSource.manager).query(
      `INSERT INTO jobs (network_id, type, payload, dedupe_key, run_at, max_attempts)
       VALUES ($1, $2, $3, $4, COALESCE($5, now()), $6)
       ON CONFLICT (network_id, type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        job.networkId,
        job.type,
        JSON.stringify(job.payload),
        job.dedupeKey ?? null,
        job.runAt ?? null,
        job.maxAttempts ?? 5,
      ],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /**
   * Claims up to `limit` runnable jobs of the given types: queued ones that are due, and running ones whose lease
   * expired (their worker died). SKIP LOCKED lets several instances claim side by side without double work.
   */
  async claim(types: string[], limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    if (types.length === 0 || limit <= 0) return [];
    const [rows] = (await this.dataSource.query(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1,
              locked_until = now() + ($3::int * interval '1 millisecond'), updated_at = now()
       WHERE id IN (
         SELECT id FROM jobs
         WHERE type = ANY($1::text[])
           AND ((status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
         ORDER BY run_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id, network_id, type, payload, attempts, max_attempts`,
      [types, limit, leaseMs],
    )) as [ClaimedRow[], number];
    return rows.map((r) => ({
      id: r.id,
      networkId: r.network_id,
      type: r.type,
      payload: r.payload,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
    }));
  }

  /**
   * Inserts a job whose dedupe key only a queued or running job holds: in one transaction, the key is taken from the
   * finished jobs of the same type that held it (and from `handOverFrom`, the running job continued by this one), then
   * the insert yields to a job still holding it. Two instances enqueueing at once insert one job: the second's insert
   * waits for the first's to commit and then conflicts with it.
   */
  insertWhileActive(
    job: NewJobRow & { dedupeKey: string },
    handOverFrom: string | null,
  ): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE jobs SET dedupe_key = NULL, updated_at = now()
         WHERE network_id = $1 AND type = $2 AND dedupe_key = $3
           AND (status NOT IN ('queued', 'running') OR id = $4)`,
        [job.networkId, job.type, job.dedupeKey, handOverFrom],
      );
      return this.insert(job, Tx.of(manager));
    });
  }

  /**
   * Marks the still-queued jobs of one type with these dedupe keys done without running them (another job did their
   * work); a job already claimed runs as usual.
   */
  async settleQueued(networkId: string, type: string, dedupeKeys: string[], tx: Tx): Promise<void> {
    if (dedupeKeys.length === 0) return;
    await Tx.manager(tx, this.dataSource.manager).query(
      `UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = now(), updated_at = now()
       WHERE network_id = $1 AND type = $2 AND dedupe_key = ANY($3::text[]) AND status = 'queued'`,
      [networkId, type, dedupeKeys],
    );
  }

  // The three outcomes below touch only a job still running: a cancelled job stays cancelled.

  async complete(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = now(), last_error = NULL,
              progress = CASE WHEN progress IS NULL THEN NULL ELSE 1 END, updated_at = now()
       WHERE id = $1 AND status = 'running'`,
      [id],
    );
  }

  async retryLater(id: string, error: string, runAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'queued', locked_until = NULL, run_at = $2, last_error = $3, updated_at = now()
       WHERE id = $1 AND status = 'running'`,
      [id, runAt, error],
    );
  }

  async fail(id: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'failed', locked_until = NULL, finished_at = now(), last_error = $2, updated_at = now()
       WHERE id = $1 AND status = 'running'`,
      [id, error],
    );
  }

  /**
   * Records a running job's progress and renews its lease. False when this run no longer owns the job: it was
   * cancelled, or its lease expired and another run (a later attempt) claimed it.
   */
  async checkpoint(id: string, attempt: number, progress: number, leaseMs: number): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `UPDATE jobs SET progress = $3, locked_until = now() + ($4::int * interval '1 millisecond'), updated_at = now()
       WHERE id = $1 AND status = 'running' AND attempts = $2
       RETURNING id`,
      [id, attempt, progress, leaseMs],
    )) as [{ id: string }[], number];
    return rows.length > 0;
  }

  /** Cancels a job that has not finished; true when it was queued or running. */
  async cancel(networkId: string, id: string, reason: string): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `UPDATE jobs SET status = 'cancelled', locked_until = NULL, finished_at = now(), last_error = $3,
              updated_at = now()
       WHERE network_id = $1 AND id = $2 AND status IN ('queued', 'running')
       RETURNING id`,
      [networkId, id, reason],
    )) as [{ id: string }[], number];
    return rows.length > 0;
  }

  /** One job of the network among `types`, or null. */
  async findTask(networkId: string, id: string, types: string[]): Promise<TaskRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT id, type, status, progress, last_error, attempts, created_at, updated_at, finished_at
       FROM jobs WHERE network_id = $1 AND id = $2 AND type = ANY($3::text[])`,
      [networkId, id, types],
    )) as {
      id: string;
      type: string;
      status: TaskRow['status'];
      progress: number | null;
      last_error: string | null;
      attempts: number;
      created_at: Date;
      updated_at: Date;
      finished_at: Date | null;
    }[];
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      type: r.type,
      status: r.status,
      progress: r.progress === null ? null : Number(r.progress),
      lastError: r.last_error,
      attempts: r.attempts,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    };
  }

  async stats(): Promise<{ depth: number; oldestAgeSeconds: number; failed: number }> {
    const rows = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status IN ('queued', 'running'))::int AS depth,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status IN ('queued', 'running'))), 0)::float8 AS oldest,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM jobs`,
    )) as { depth: number; oldest: number; failed: number }[];
    const row = rows[0] ?? { depth: 0, oldest: 0, failed: 0 };
    return { depth: Number(row.depth), oldestAgeSeconds: Number(row.oldest), failed: Number(row.failed) };
  }

  /** Waiting and running jobs per type, for the queue metrics. */
  async depthByType(): Promise<{ queue: string; depth: number; oldestAgeSeconds: number }[]> {
    const rows = (await this.dataSource.query(
      `SELECT type, count(*)::int AS depth, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
       FROM jobs WHERE status IN ('queued', 'running') GROUP BY type`,
    )) as { type: string; depth: number; oldest: number }[];
    return rows.map((r) => ({ queue: r.type, depth: Number(r.depth), oldestAgeSeconds: Number(r.oldest) }));
  }
}
