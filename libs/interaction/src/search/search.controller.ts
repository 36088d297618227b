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
  'When semantic search is available (mode text+semantic), interactions close in meaning are merged in too.';

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
    summary: 'Search what was said (full text, and semantic when available)',
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
    });
    return toSearchResultDto(answer);
  }
}
