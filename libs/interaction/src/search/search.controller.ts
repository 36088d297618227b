import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@mira/core';
import { InteractionSearchQueryDto, InteractionSearchResultDto } from './dto/search.dto.js';
import { toSearchResultDto } from './search.mapper.js';
import { InteractionSearchService } from './search.service.js';

const SEARCH_DOC =
  "Ranked interactions whose content matches `q` in the network's language (settings.language, ISO 639-1; " +
  'English when unset; a language without a stemmer is matched word for word), with the matched passage. ' +
  'Relevance is ranked among the 300 newest matches (narrow with since/until to reach further back). ' +
  "With semantic search (Gemini configured), `q` is also embedded and the network's interactions nearest in " +
  'meaning are ranked (exact cosine over every embedded interaction of the network that passes the filters), even ' +
  'when they share no word with `q`; `mode` picks the rankings, and each hit says which found it (`matched_by`). ' +
  'An interaction is searchable by meaning once its embedding job ran (seconds after it was written or edited).';

/**
 * Declared before the interaction routes (InteractionModule lists it first) so that `search` is never read as an
 * {interaction_id}.
 */
@ApiTags('interactions')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/interactions', version: ['1', '2'] })
export class InteractionSearchController {
  constructor(private readonly search: InteractionSearchService) {}

  @Get('search')
  @Access('network')
  @ApiOperation({
    summary: 'Search what was said: by its words, by its meaning, or both',
    description: SEARCH_DOC,
  })
  @ApiResponse({ status: 200, type: InteractionSearchResultDto })
  @ApiResponse({ status: 404, description: "PERSON_NOT_FOUND (also for another network's person_id)" })
  @ApiResponse({
    status: 422,
    description: 'VALIDATION_FAILED: q missing, empty or over 200 characters, bad filter',
  })
  async find(
    @Param('network_id') networkId: string,
    @Query() query: InteractionSearchQueryDto,
  ): Promise<InteractionSearchResultDto> {
    const answer = await this.search.find(networkId, {
      q: query.q,
      personId: query.person_id,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      limit: query.limit ?? 20,
      mode: query.mode,
    });
    return toSearchResultDto(answer);
  }
}
