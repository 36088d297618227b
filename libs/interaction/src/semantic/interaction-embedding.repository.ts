import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tx } from '@mira/core';
import { searchFilterSql } from '../search/search-filter.js';
import type { SearchFilter } from '../search/search.repository.js';

/** Which embedding a vector is: only vectors of the same model and size are compared. */
export interface EmbeddingSpace {
  model: string;
  dimensions: number;
}

/** How the database ranks by meaning: pgvector's cosine distance, or the same cosine computed in plain SQL. */
export type SemanticRanking = 'pgvector' | 'sql';

export interface SemanticMatch {
  id: string;
  /** Cosine distance to the query, 0 (same direction) to 2 (opposite). */
  distance: number;
}

/** The hash of the text an embedding was computed from, in SQL (the same as sha256Hex over UTF-8 in TypeScript). */
const CONTENT_SHA256 = `encode(sha256(convert_to(i.content, 'UTF8')), 'hex')`;

/** Values of the stored coarse prefix (`embedding_prefix`, migration InteractionEmbeddingVectors). */
const PREFIX_DIMENSIONS = 256;

/** With pgvector, how many coarse candidates (by the prefix) are re-ranked exactly. */
export const SEMANTIC_PREFIX_CANDIDATES = 2000;

/**
 * How much of a network the semantic ranking reads: with pgvector, how many coarse candidates are re-ranked exactly;
 * without it, how many of the newest embedded interactions are ranked at all (SEMANTIC_SEARCH_SQL_SCAN_LIMIT).
 */
export interface SemanticScanBounds {
  candidates: number;
  sqlScanLimit: number;
}

/** A vector as a PostgreSQL array literal (a parameter both node-postgres and PGlite pass through unchanged). */
const arrayLiteral = (vector: number[]): string => `{${vector.join(',')}}`;

/** The only SQL of semantic search: interaction_embeddings (one unit-length vector per interaction). */
@Injectable()
export class InteractionEmbeddingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * pgvector ranking when the native vector columns exist (the `vector` extension, 0.7 or later, was installed when
   * the migrations ran), else plain SQL.
   */
  async ranking(): Promise<SemanticRanking> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM pg_attribute
       WHERE attrelid = 'interaction_embeddings'::regclass AND attname = 'embedding_prefix' AND NOT attisdropped`,
    )) as unknown[];
    return rows.length > 0 ? 'pgvector' : 'sql';
  }

  /**
   * Stores the vector of the interaction's text, when that text is still the one that was embedded (its hash
   * matches): a job that raced an edit writes nothing, and the edit's own job stores the new text's vector.
   * Answers whether it was stored.
   */
  async storeIfCurrent(
    networkId: string,
    interactionId: string,
    space: EmbeddingSpace,
    vector: number[],
    contentSha256: string,
  ): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO interaction_embeddings (network_id, interaction_id, model, dimensions, embedding, content_sha256)
       SELECT i.network_id, i.id, $3, $4, $5::real[], $6 FROM interactions i
       WHERE i.network_id = $1 AND i.id = $2 AND i.content IS NOT NULL AND ${CONTENT_SHA256} = $6
       ON CONFLICT (network_id, interaction_id) DO UPDATE
         SET model = EXCLUDED.model, dimensions = EXCLUDED.dimensions, embedding = EXCLUDED.embedding,
             content_sha256 = EXCLUDED.content_sha256, created_at = now()
       RETURNING interaction_id`,
      [networkId, interactionId, space.model, space.dimensions, arrayLiteral(vector), contentSha256],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The stored embedding's model, size and text hash, or null. */
  async current(
    networkId: string,
    interactionId: string,
  ): Promise<(EmbeddingSpace & { contentSha256: string }) | null> {
    const rows = (await this.dataSource.query(
      `SELECT model, dimensions, content_sha256 AS "contentSha256" FROM interaction_embeddings
       WHERE network_id = $1 AND interaction_id = $2`,
      [networkId, interactionId],
    )) as (EmbeddingSpace & { contentSha256: string })[];
    return rows[0] ?? null;
  }

  /**
   * Drops the vector unless it is of the text with this hash (in the edit's transaction: a search never ranks a text
   * that was replaced, and rewriting the same text keeps its vector).
   */
  async forgetUnless(
    tx: Tx | null,
    networkId: string,
    interactionId: string,
    contentSha256: string | null,
  ): Promise<void> {
    await Tx.manager(tx, this.dataSource.manager).query(
      `DELETE FROM interaction_embeddings
       WHERE network_id = $1 AND interaction_id = $2 AND content_sha256 IS DISTINCT FROM $3`,
      [networkId, interactionId, contentSha256],
    );
  }

  /** Up to `limit` interactions of the network with text and no embedding in this space (newest first). */
  async unembedded(
    networkId: string,
    space: EmbeddingSpace,
    limit: number,
  ): Promise<{ id: string; content: string }[]> {
    return (await this.dataSource.query(
      `SELECT i.id, i.content FROM interactions i
       WHERE i.network_id = $1 AND i.content IS NOT NULL AND btrim(i.content) <> ''
         AND NOT EXISTS (
           SELECT 1 FROM interaction_embeddings e
           WHERE e.network_id = i.network_id AND e.interaction_id = i.id AND e.model = $2 AND e.dimensions = $3)
       ORDER BY i.occurred_at DESC, i.id DESC
       LIMIT $4`,
      [networkId, space.model, space.dimensions, limit],
    )) as { id: string; content: string }[];
  }

  /** The networks that have interactions with text and no embedding in this space. */
  async networksWithUnembedded(space: EmbeddingSpace): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT n.id FROM networks n
       WHERE EXISTS (
         SELECT 1 FROM interactions i
         WHERE i.network_id = n.id AND i.content IS NOT NULL AND btrim(i.content) <> ''
           AND NOT EXISTS (
             SELECT 1 FROM interaction_embeddings e
             WHERE e.network_id = i.network_id AND e.interaction_id = i.id AND e.model = $1 AND e.dimensions = $2))`,
      [space.model, space.dimensions],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * The network's interactions nearest in meaning to the query vector (unit-length), nearest first, with the search's
   * filters. With pgvector: a coarse pass over the stored 256-value prefixes (read from the row, no TOAST, no cast)
   * keeps the `candidates` nearest, which are re-ranked exactly by the stored full vectors; vectors of 256 values or
   * fewer have no prefix and are ranked exactly. Without it: the exact cosine (1 − the dot product of unit vectors, by
   * unnest) over the network's `sqlScanLimit` newest embedded interactions only.
   */
  async nearest(
    networkId: string,
    space: EmbeddingSpace,
    query: number[],
    filter: SearchFilter,
    limit: number,
    ranking: SemanticRanking,
    bounds: SemanticScanBounds,
  ): Promise<SemanticMatch[]> {
    const params: unknown[] = [networkId, space.model, space.dimensions, arrayLiteral(query), limit];
    const conditions = searchFilterSql(filter, params);
    const join = conditions
      ? `JOIN interactions i ON i.network_id = e.network_id AND i.id = e.interaction_id ${conditions}`
      : '';
    const inSpace = `e.network_id = $1 AND e.model = $2 AND e.dimensions = $3`;
    let sql: string;
    if (ranking === 'pgvector' && space.dimensions > PREFIX_DIMENSIONS) {
      params.push(Math.max(bounds.candidates, limit));
      sql = `WITH coarse AS (
           SELECT e.interaction_id FROM interaction_embeddings e ${join}
           WHERE ${inSpace}
           ORDER BY e.embedding_prefix <#> l2_normalize(subvector($4::real[]::vector, 1, ${PREFIX_DIMENSIONS}))
           LIMIT $${params.length})
         SELECT e.interaction_id AS id, e.embedding_vector <=> $4::real[]::vector AS distance
         FROM coarse c JOIN interaction_embeddings e ON e.network_id = $1 AND e.interaction_id = c.interaction_id
         ORDER BY distance, e.interaction_id
         LIMIT $5`;
    } else if (ranking === 'pgvector') {
      sql = `SELECT e.interaction_id AS id, e.embedding_vector <=> $4::real[]::vector AS distance
         FROM interaction_embeddings e ${join}
         WHERE ${inSpace}
         ORDER BY distance, e.interaction_id
         LIMIT $5`;
    } else {
      params.push(bounds.sqlScanLimit);
      sql = `WITH newest AS (
           SELECT e.interaction_id, e.embedding FROM interaction_embeddings e
           JOIN interactions i ON i.network_id = e.network_id AND i.id = e.interaction_id ${conditions}
           WHERE ${inSpace}
           ORDER BY i.occurred_at DESC, i.id DESC
           LIMIT $${params.length})
         SELECT n.interaction_id AS id,
                1 - (SELECT sum(a * b) FROM unnest(n.embedding, $4::real[]) AS pair(a, b)) AS distance
         FROM newest n
         ORDER BY distance, n.interaction_id
         LIMIT $5`;
    }
    const rows = (await this.dataSource.query(sql, params)) as { id: string; distance: number | string }[];
    return rows.map((r) => ({ id: r.id, distance: Number(r.distance) }));
  }
}
