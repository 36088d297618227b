import { Injectable } from '@nestjs/common';
import { GeminiError, TextEmbedder } from '@mira/assistant';
import { AppLogger, CommonErrors } from '@mira/core';
import { PersonErrors } from '@mira/person';
import { InteractionRepository } from '../interaction.repository.js';
import type { Interaction } from '../interaction.types.js';
import { InteractionEmbeddingRepository } from '../semantic/interaction-embedding.repository.js';
import { SemanticSearchCapability } from '../semantic/semantic-search.capability.js';
import { fuseRankings } from './rank-fusion.js';
import { InteractionSearchRepository, SearchFilter } from './search.repository.js';
import { Highlight, parseHeadline } from './search-text.js';

/** text: the words; semantic: the meaning (query and texts embedded by Gemini); hybrid: both, fused by rank. */
export type SearchMode = 'text' | 'semantic' | 'hybrid';

/**
 * What became of the semantic ranking: it ran, it was not asked for, it cannot run here (no embeddings configured),
 * or Gemini failed to embed the query (error or timeout): then the text ranking answers alone.
 */
export type SemanticOutcome = 'ran' | 'not_requested' | 'unavailable' | 'failed';

export interface SearchRequest extends SearchFilter {
  q: string;
  limit: number;
  /** Unset: hybrid when semantic search is available, else text. */
  mode?: SearchMode;
}

export interface SearchHit {
  interaction: Interaction;
  score: number;
  matchedBy: ('text' | 'semantic')[];
  highlight: Highlight | null;
}

export interface SearchAnswer {
  hits: SearchHit[];
  language: string;
  /** The mode that ran (text when the semantic ranking could not). */
  mode: SearchMode;
  requestedMode: SearchMode;
  semantic: SemanticOutcome;
}

/** Search over what was said in a network: full-text ranking in the network's language, and by meaning. */
@Injectable()
export class InteractionSearchService {
  constructor(
    private readonly search: InteractionSearchRepository,
    private readonly embeddings: InteractionEmbeddingRepository,
    private readonly capability: SemanticSearchCapability,
    private readonly embedder: TextEmbedder,
    private readonly interactions: InteractionRepository,
    private readonly logger: AppLogger,
  ) {}

  /** A person_id that is not in this network answers 404, like a path id. */
  async find(networkId: string, request: SearchRequest): Promise<SearchAnswer> {
    const scope = await this.search.scope(networkId, request.personId);
    if (!scope) throw CommonErrors.networkNotFound();
    if (!scope.personFound) throw PersonErrors.notFound('person_id');
    const requestedMode = request.mode ?? (this.capability.available ? 'hybrid' : 'text');
    const language = scope.language;

    const wantsSemantic = requestedMode !== 'text';
    const semantic = wantsSemantic ? await this.semanticIds(networkId, request) : null;
    const semanticOutcome: SemanticOutcome = !this.capability.available
      ? 'unavailable'
      : !wantsSemantic
        ? 'not_requested'
        : semantic
          ? 'ran'
          : 'failed';
    // Without the semantic ranking a semantic search answers with the words alone rather than nothing.
    const mode: SearchMode = semantic ? requestedMode : 'text';
    const text =
      mode === 'semantic'
        ? []
        : await this.search.textMatches(networkId, language, request.q, request, request.limit);

    const headlines = new Map(text.map((m) => [m.interaction.id, m.headline]));
    const fused = fuseRankings(
      [
        { source: 'text' as const, ids: text.map((m) => m.interaction.id) },
        { source: 'semantic' as const, ids: semantic ?? [] },
      ],
      request.limit,
    );
    // The text ranking read its rows already; only those found by meaning alone are loaded.
    const rows = new Map(text.map((m) => [m.interaction.id, m.interaction]));
    const missing = fused.filter((h) => !rows.has(h.id)).map((h) => h.id);
    for (const row of await this.interactions.findMany(networkId, missing)) rows.set(row.id, row);
    const hits: SearchHit[] = [];
    for (const hit of fused) {
      // A row deleted between the ranking and the load is left out rather than answered half.
      const interaction = rows.get(hit.id);
      if (!interaction) continue;
      const headline = headlines.get(hit.id);
      hits.push({
        interaction,
        score: hit.score,
        matchedBy: hit.matchedBy,
        highlight: headline === undefined ? null : parseHeadline(headline),
      });
    }
    this.logger.info('interactions_searched', {
      network_id: networkId,
      mode,
      semantic: semanticOutcome,
      text_matches: text.length,
      semantic_matches: semantic?.length ?? 0,
      returned: hits.length,
    });
    return { hits, language, mode, requestedMode, semantic: semanticOutcome };
  }

  /**
   * The ids nearest in meaning to the query, nearest first, as far as the relevance cut-off (cosine similarity
   * SEMANTIC_SEARCH_MIN_SIMILARITY: the stored vectors and the query are unit-length, so distance = 1 − similarity);
   * null when the query cannot be embedded (Gemini absent, failing or too slow), so the caller answers with the words
   * alone.
   */
  private async semanticIds(networkId: string, request: SearchRequest): Promise<string[] | null> {
    if (!this.capability.available) return null;
    let query: number[];
    try {
      [query] = (await this.embedder.embed([request.q], 'query')) as [number[]];
    } catch (err) {
      if (!(err instanceof GeminiError)) throw err;
      this.logger.warn('search_query_embedding_failed', { network_id: networkId, failure: err.kind });
      return null;
    }
    const matches = await this.embeddings.nearest(
      networkId,
      this.capability.space,
      query,
      request,
      request.limit,
      this.capability.ranking,
      this.capability.scanBounds,
    );
    // Nearest first: the cut-off drops the tail.
    const maxDistance = 1 - this.capability.minSimilarity;
    return matches.filter((m) => m.distance <= maxDistance).map((m) => m.id);
  }
}
