import { Injectable } from '@nestjs/common';
import { AppConfig } from '@mira/core';
import { GeminiClient } from './gemini.client.js';

/**
 * Text → vector for semantic search, through Gemini's embedding model. Available when GEMINI_API_KEY is set and
 * SEMANTIC_SEARCH_ENABLED is not off; there is no offline engine (without it search is text-only). Vectors come back
 * unit-length, so a dot product is their cosine. Failures throw GeminiError (retryable ones are worth a retry).
 */
@Injectable()
export class TextEmbedder {
  readonly model: string;
  readonly dimensions: number;

  constructor(
    private readonly gemini: GeminiClient,
    private readonly config: AppConfig,
  ) {
    ({ model: this.model, dimensions: this.dimensions } = config.values.gemini.embeddings);
  }

  get available(): boolean {
    return this.gemini.configured && this.config.values.gemini.embeddings.enabled;
  }

  /** A query is bounded by SEMANTIC_SEARCH_QUERY_TIMEOUT_MS (a search is waiting), documents by GEMINI_TIMEOUT_MS. */
  async embed(texts: string[], purpose: 'query' | 'document'): Promise<number[][]> {
    if (texts.length === 0) return [];
    const timeoutMs =
      purpose === 'query' ? this.config.values.gemini.embeddings.queryTimeoutMs : this.gemini.timeoutMs;
    return (await this.gemini.embed(texts, purpose, timeoutMs)).map(unitLength);
  }
}

/** The vector scaled to length 1 (Gemini normalises only its full-size 3072-value vectors); a zero vector stays. */
export function unitLength(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}
