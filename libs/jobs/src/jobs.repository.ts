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

  async complete(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = now(), last_error = NULL, updated_at = now()
       WHERE id = $1`,
      [id],
    );
  }

  async retryLater(id: string, error: string, runAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'queued', locked_until = NULL, run_at = $2, last_error = $3, updated_at = now()
       WHERE id = $1`,
      [id, runAt, error],
    );
  }

  async fail(id: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'failed', locked_until = NULL, finished_at = now(), last_error = $2, updated_at = now()
       WHERE id = $1`,
      [id, error],
    );
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
