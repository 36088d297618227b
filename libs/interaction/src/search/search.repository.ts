import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { INTERACTION_COLUMNS, type InteractionRow, toInteraction } from '../interaction.rows.js';
import type { Interaction } from '../interaction.types.js';
import { searchFilterSql } from './search-filter.js';
import { MATCH_END, MATCH_START, searchLanguageSql } from './search-text.js';

export interface SearchFilter {
  personId?: string;
  since?: Date;
  until?: Date;
}

/** What a search needs to know about its network before it ranks: the language, and whether the person filter is one of its persons. */
export interface SearchScope {
  language: string;
  /** True when no person filter was given. */
  personFound: boolean;
}

export interface TextMatch {
  interaction: Interaction;
  /** ts_headline passage with MATCH_START/MATCH_END around the matched words. */
  headline: string;
}

/** The answer's columns read from `interactions i` in the statement that ranks them (no second round trip). */
const MATCHED_COLUMNS = INTERACTION_COLUMNS.split(', ')
  .map((column) => `i.${column}`)
  .join(', ');

/**
 * How many of the newest matches are ranked. A word in a tenth of a network's interactions would otherwise make
 * every search rank tens of thousands of rows; with the cap PostgreSQL either walks the newest interactions until it
 * has enough matches (frequent words) or reads the few matches from the GIN index (rare words), whichever its
 * statistics say is cheaper, and the answer ranks the most relevant of the newest matches.
 */
export const RANKED_MATCHES = 300;

/** The only SQL of search: full-text matches over interactions (the GIN index led by network_id). */
@Injectable()
export class InteractionSearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The network's search language (searchLanguageOf in SQL) and whether the filtered person is one of its persons
   * (scoped by network: another network's person is not found), in one statement: a search costs one round trip and
   * one pool connection before its ranking. Null when the network does not exist.
   */
  async scope(networkId: string, personId: string | undefined): Promise<SearchScope | null> {
    const params: unknown[] = [networkId];
    let personFound = 'true';
    if (personId) {
      params.push(personId);
      personFound = 'EXISTS (SELECT 1 FROM persons p WHERE p.network_id = $1 AND p.id = $2)';
    }
    const rows = (await this.dataSource.query(
      `SELECT ${searchLanguageSql('n.settings')} AS language, ${personFound} AS person_found
       FROM networks n WHERE n.id = $1`,
      params,
    )) as { language: string; person_found: boolean }[];
    const row = rows[0];
    return row ? { language: row.language, personFound: row.person_found } : null;
  }

  /**
   * Best-ranked text matches with their rows, best first. The tsquery is written inline (not in a CTE) so the planner
   * sees it as a constant and estimates how many rows match from the column's statistics: a frequent word walks the
   * newest interactions (interactions_network_occurred_idx), a rarer one or a person's reads the GIN index
   * (network_id, person_id, search_vector).
   */
  async textMatches(
    networkId: string,
    language: string,
    q: string,
    filter: SearchFilter,
    limit: number,
  ): Promise<TextMatch[]> {
    const params: unknown[] = [networkId, language, q, RANKED_MATCHES, limit, MATCH_START + MATCH_END];
    const conditions = searchFilterSql(filter, params);
    const query = `websearch_to_tsquery(mira_search_config($2), $3)`;
    const rows = (await this.dataSource.query(
      `WITH matches AS (
         SELECT i.id, i.occurred_at, i.search_vector FROM interactions i
         WHERE i.network_id = $1 AND i.search_vector @@ ${query} ${conditions}
         ORDER BY i.occurred_at DESC, i.id DESC
         LIMIT $4
       ), ranked AS (
         SELECT m.id, m.occurred_at, ts_rank_cd(m.search_vector, ${query}, 1) AS rank FROM matches m
         ORDER BY rank DESC, m.occurred_at DESC, m.id DESC
         LIMIT $5
       )
       SELECT ${MATCHED_COLUMNS},
              ts_headline(mira_search_config($2), translate(i.content, $6, ''), ${query},
                'StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "'
              ) AS headline
       FROM ranked r JOIN interactions i ON i.network_id = $1 AND i.id = r.id
       ORDER BY r.rank DESC, r.occurred_at DESC, r.id DESC`,
      params,
    )) as (InteractionRow & { headline: string })[];
    return rows.map((row) => ({ interaction: toInteraction(row), headline: row.headline }));
  }
}
