import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TextEmbedder } from '@mira/assistant';
import { AppConfig, AppLogger, HealthRegistry } from '@mira/core';
import {
  EmbeddingSpace,
  InteractionEmbeddingRepository,
  SEMANTIC_PREFIX_CANDIDATES,
  type SemanticScanBounds,
  SemanticRanking,
} from './interaction-embedding.repository.js';

/**
 * What semantic search can do here, decided once at boot and reported in /health/detailed (`semantic_search`): whether
 * query and text embeddings can be had (Gemini configured, SEMANTIC_SEARCH_ENABLED), and how the database ranks them
 * (pgvector when the extension is installed, the same cosine in plain SQL otherwise).
 */
@Injectable()
export class SemanticSearchCapability implements OnApplicationBootstrap {
  /** Until boot has looked (or when it could not), the plain-SQL cosine: it runs on every database. */
  private detected: SemanticRanking = 'sql';

  constructor(
    private readonly embeddings: InteractionEmbeddingRepository,
    private readonly embedder: TextEmbedder,
    private readonly health: HealthRegistry,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  /** How much of a network a semantic search reads (repository's nearest). */
  get scanBounds(): SemanticScanBounds {
    return {
      candidates: SEMANTIC_PREFIX_CANDIDATES,
      sqlScanLimit: this.config.values.gemini.embeddings.sqlScanLimit,
    };
  }

  /** The relevance cut-off: a hit by meaning is at least this similar to the query (cosine). */
  get minSimilarity(): number {
    return this.config.values.gemini.embeddings.minSimilarity;
  }

  get available(): boolean {
    return this.embedder.available;
  }

  get ranking(): SemanticRanking {
    return this.detected;
  }

  get space(): EmbeddingSpace {
    return { model: this.embedder.model, dimensions: this.embedder.dimensions };
  }

  async onApplicationBootstrap(): Promise<void> {
    let detectionFailed = false;
    try {
      this.detected = await this.embeddings.ranking();
    } catch (err) {
      detectionFailed = true;
      this.logger.warn('semantic_ranking_detection_failed', {
        error_message: err instanceof Error ? err.message.slice(0, 300) : String(err),
      });
    }
    this.logger.info('semantic_search_ready', { available: this.available, ranking: this.detected });
    this.health.register('semantic_search', () => ({
      // Text search always works; semantic search absent by configuration is not a fault.
      status: detectionFailed ? 'degraded' : 'healthy',
      modes: this.available ? ['text', 'semantic', 'hybrid'] : ['text'],
      ranking:
        this.detected === 'pgvector'
          ? `pgvector (256-value prefix, ${SEMANTIC_PREFIX_CANDIDATES} candidates re-ranked by cosine distance)`
          : `plain SQL (cosine over real[], newest ${this.scanBounds.sqlScanLimit} embedded interactions only)`,
      ...(this.available
        ? { embedding_model: this.embedder.model, dimensions: this.embedder.dimensions }
        : { reason: 'no text embeddings: GEMINI_API_KEY unset or SEMANTIC_SEARCH_ENABLED=false' }),
    }));
  }
}
