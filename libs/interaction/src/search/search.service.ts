import { Injectable } from '@nestjs/common';
import { AppLogger } from '@mira/core';
import { NetworkService } from '@mira/network';
import { PersonService } from '@mira/person';
import { InteractionRepository } from '../interaction.repository.js';
import type { Interaction } from '../interaction.types.js';
import { fuseRankings } from './rank-fusion.js';
import { InteractionSearchRepository, SearchFilter } from './search.repository.js';
import { Highlight, parseHeadline, searchLanguageOf } from './search-text.js';

export interface SearchRequest extends SearchFilter {
  q: string;
  limit: number;
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
  mode: 'text' | 'text+semantic';
}

/** Search over what was said in a network: full-text ranking in the network's language. */
@Injectable()
export class InteractionSearchService {
  constructor(
    private readonly search: InteractionSearchRepository,
    private readonly interactions: InteractionRepository,
    private readonly persons: PersonService,
    private readonly networks: NetworkService,
    private readonly logger: AppLogger,
  ) {}

  /** A person_id that is not in this network answers 404, like a path id. */
  async find(networkId: string, request: SearchRequest): Promise<SearchAnswer> {
    if (request.personId) await this.persons.requireExisting(networkId, [request.personId], 'person_id');
    const language = searchLanguageOf(await this.networks.settings(networkId));
    const text = await this.search.textMatches(networkId, language, request.q, request, request.limit);
    const headlines = new Map(text.map((m) => [m.id, m.headline]));
    const fused = fuseRankings([{ source: 'text' as const, ids: text.map((m) => m.id) }], request.limit);
    const rows = new Map(
      (
        await this.interactions.findMany(
          networkId,
          fused.map((h) => h.id),
        )
      ).map((row) => [row.id, row]),
    );
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
      text_matches: text.length,
      returned: hits.length,
    });
    return { hits, language, mode: 'text' };
  }
}
