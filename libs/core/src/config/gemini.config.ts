import type { EnvReader } from './env-reader.js';

/** The Gemini API behind the assistant's ports (libs/assistant): transcription, actions, summaries, embeddings. */
export interface GeminiConfigValues {
  gemini: {
    apiKey?: string;
    baseUrl?: string;
    model: string;
    timeoutMs: number;
    /**
     * Semantic search: whether interactions are embedded, the embedding model, the vector size asked of it, and how
     * long a search waits for its query's embedding.
     */
    embeddings: {
      enabled: boolean;
      model: string;
      dimensions: number;
      queryTimeoutMs: number;
      sqlScanLimit: number;
      minSimilarity: number;
    };
  };
}

export function parseGeminiConfig(env: EnvReader): GeminiConfigValues {
  const { str, int, num, bool, problems } = env;
  const baseUrl = str('GEMINI_BASE_URL');
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) {
    problems.push('GEMINI_BASE_URL must be an http(s) URL');
  }
  return {
    gemini: {
      apiKey: str('GEMINI_API_KEY'),
      baseUrl,
      model: str('GEMINI_MODEL') ?? 'gemini-2.5-flash',
      timeoutMs: int('GEMINI_TIMEOUT_MS', 20_000, 100, 300_000),
      embeddings: {
        enabled: bool('SEMANTIC_SEARCH_ENABLED', true),
        model: str('GEMINI_EMBEDDING_MODEL') ?? 'gemini-embedding-001',
        // gemini-embedding-001 answers 128–3072 values (Matryoshka: a shorter vector is a prefix); 768 keeps most
        // of the quality at a quarter of the storage and scan cost.
        dimensions: int('GEMINI_EMBEDDING_DIMENSIONS', 768, 8, 3072),
        // A search waits this long for its query's embedding, then answers with the text ranking alone.
        queryTimeoutMs: int('SEMANTIC_SEARCH_QUERY_TIMEOUT_MS', 3000, 100, 60_000),
        // Without pgvector the cosine is computed in plain SQL (~80 µs a vector): the semantic ranking then looks
        // only at the network's newest this-many embedded interactions, so a search stays well under a second.
        sqlScanLimit: int('SEMANTIC_SEARCH_SQL_SCAN_LIMIT', 2000, 100, 10_000_000),
        // A hit by meaning must be at least this similar to the query (cosine), so that a query about nothing in the
        // network finds nothing by meaning instead of the least distant rows. Measured on the tests' fake embedder only:
        // related texts score ≥ 0.35, unrelated 0 but for hash collisions (≤ 0.36); Gemini's scale is not measured.
        minSimilarity: num('SEMANTIC_SEARCH_MIN_SIMILARITY', 0.3, -1, 1),
      },
    },
  };
}
