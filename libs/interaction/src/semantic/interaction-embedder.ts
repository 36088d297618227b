import { createHash } from 'node:crypto';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { GeminiError, TextEmbedder } from '@mira/assistant';
import { AppConfig, AppLogger, isDatabaseUnavailable, type Tx } from '@mira/core';
import { JobName, type JobOf, JobQueue, OnJob } from '@mira/jobs';
import { InteractionRepository } from '../interaction.repository.js';
import { InteractionEmbeddingRepository } from './interaction-embedding.repository.js';
import { SemanticSearchCapability } from './semantic-search.capability.js';

/** Texts per Gemini request when backfilling (batchEmbedContents accepts up to 100). */
const BACKFILL_BATCH = 50;
/** Batches per backfill job; a network with more enqueues the next job, so that no run nears its timeout. */
const BACKFILL_BATCHES_PER_JOB = 20;
/**
 * The dedupe key of a network's backfill: held by its queued or running job (then by the job that continues it), so
 * instances starting together, or while a backfill runs, enqueue no second one to embed the same texts again.
 */
const BACKFILL_KEY = 'backfill';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const hasText = (content: string | null | undefined): content is string => !!content && content.trim() !== '';

/**
 * Keeps each interaction's embedding in step with its text: a job per written or changed text (InteractionEmbed),
 * and at boot a backfill job per network with text that has no embedding in the configured model, one per network
 * across instances (BACKFILL_KEY) (InteractionEmbedBackfill: interactions from before Gemini was configured, from
 * another model, or whose job gave up). Without Gemini nothing is enqueued and search stays text-only. Logs carry ids and counts, never text.
 */
@Injectable()
export class InteractionEmbedder implements OnApplicationBootstrap {
  constructor(
    private readonly embeddings: InteractionEmbeddingRepository,
    private readonly interactions: InteractionRepository,
    private readonly embedder: TextEmbedder,
    private readonly capability: SemanticSearchCapability,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  /**
   * After an interaction's text was written (`replaced`: an existing text changed). In the write's transaction when
   * it has one: the old vector goes with the old text, and the job commits with the write. Answers whether a job was
   * enqueued (the caller kicks the queue once its transaction committed).
   */
  async textWritten(
    tx: Tx | null,
    networkId: string,
    interactionId: string,
    content: string | null,
    replaced: boolean,
  ): Promise<boolean> {
    if (replaced) {
      const sha = hasText(content) ? sha256Hex(content) : null;
      await this.embeddings.forgetUnless(tx, networkId, interactionId, sha);
    }
    if (!this.capability.available || !hasText(content)) return false;
    const payload = { interaction_id: interactionId };
    await this.jobs.enqueue(
      JobName.InteractionEmbed,
      { networkId, payload, maxAttempts: 4 },
      tx ?? undefined,
    );
    return true;
  }

  /** Look for the jobs textWritten enqueued now (once their transaction committed). */
  kick(): void {
    this.jobs.kick();
  }

  @OnJob(JobName.InteractionEmbed)
  async onEmbedJob(job: JobOf<JobName.InteractionEmbed>): Promise<void> {
    const { networkId } = job;
    const interactionId = job.payload.interaction_id;
    if (!this.capability.available) return;
    const row = await this.interactions.find(networkId, interactionId);
    if (!row || !hasText(row.content)) return;
    const space = this.capability.space;
    const sha = sha256Hex(row.content);
    const current = await this.embeddings.current(networkId, interactionId);
    if (
      current?.model === space.model &&
      current.dimensions === space.dimensions &&
      current.contentSha256 === sha
    )
      return;
    let vector: number[];
    try {
      [vector] = (await this.embedder.embed([row.content], 'document')) as [number[]];
    } catch (err) {
      // The next start's backfill tries again; a job retried for ever would only repeat the failure.
      if (err instanceof GeminiError && (!err.retryable || job.finalAttempt)) {
        this.logger.warn('interaction_embedding_failed', {
          network_id: networkId,
          interaction_id: interactionId,
          failure: err.kind,
          attempt: job.attempt,
        });
        return;
      }
      throw err;
    }
    const stored = await this.embeddings.storeIfCurrent(networkId, interactionId, space, vector, sha);
    this.logger.info('interaction_embedded', {
      network_id: networkId,
      interaction_id: interactionId,
      stored,
    });
  }

  @OnJob(JobName.InteractionEmbedBackfill, { timeoutMs: 600_000 })
  async onBackfillJob(job: JobOf<JobName.InteractionEmbedBackfill>): Promise<void> {
    const { networkId } = job;
    if (!this.capability.available) return;
    const space = this.capability.space;
    let embedded = 0;
    for (let batch = 0; batch < BACKFILL_BATCHES_PER_JOB; batch++) {
      const rows = await this.embeddings.unembedded(networkId, space, BACKFILL_BATCH);
      if (rows.length === 0) break;
      const vectors = await this.embedder.embed(
        rows.map((r) => r.content),
        'document',
      );
      let stored = 0;
      for (const [index, row] of rows.entries()) {
        const sha = sha256Hex(row.content);
        if (await this.embeddings.storeIfCurrent(networkId, row.id, space, vectors[index]!, sha)) stored++;
      }
      embedded += stored;
      // Every text of the batch changed meanwhile: their own jobs embed them; stop rather than fetch them again.
      if (stored === 0) break;
      if (batch === BACKFILL_BATCHES_PER_JOB - 1) {
        await this.jobs.enqueueWhileActive(
          JobName.InteractionEmbedBackfill,
          { networkId, payload: {}, dedupeKey: BACKFILL_KEY },
          job,
        );
        this.jobs.kick();
      }
      await job.checkpoint(0);
    }
    this.logger.info('interactions_backfill_embedded', { network_id: networkId, embedded });
  }

  /** At boot, without delaying it: a backfill job for every network with text that has no current embedding. */
  onApplicationBootstrap(): void {
    if (!this.capability.available || !this.config.values.jobs.workerEnabled) return;
    void this.scheduleBackfill().catch((err: unknown) => {
      if (isDatabaseUnavailable(err)) return;
      this.logger.error('interaction_backfill_schedule_failed', {
        error_message: err instanceof Error ? err.message.slice(0, 300) : String(err),
      });
    });
  }

  /**
   * Enqueues the backfill of every network that needs one and has none queued or running; answers how many were
   * enqueued.
   */
  async scheduleBackfill(): Promise<number> {
    const networks = await this.embeddings.networksWithUnembedded(this.capability.space);
    let enqueued = 0;
    for (const networkId of networks) {
      const id = await this.jobs.enqueueWhileActive(JobName.InteractionEmbedBackfill, {
        networkId,
        payload: {},
        dedupeKey: BACKFILL_KEY,
      });
      if (id !== null) enqueued++;
    }
    if (enqueued > 0) this.jobs.kick();
    this.logger.info('interaction_backfill_scheduled', {
      networks: networks.length,
      enqueued,
      already_running: networks.length - enqueued,
    });
    return enqueued;
  }
}
