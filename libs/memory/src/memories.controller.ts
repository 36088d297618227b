import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, pageBounds, PageQueryDto } from '@mira/core';
import { EpisodicMemoryDto } from './dto/memory.dto.js';
import { toMemoryDto } from './memory.mapper.js';
import { MemoryService } from './memory.service.js';

/** How many memories a list answers without `limit` (dadei asks for 100). */
export const MEMORY_LIST_DEFAULT_LIMIT = 100;
/** The list's documentation, the same at both doors. */
export const MEMORY_LIST_OPERATION = {
  summary: 'Active episodic memories, newest first (a bare array; limit default 100)',
  description:
    'Made when a conversation closes (Gemini structured output; offline the extractive summary’s lines, ' +
    'provenance.engine = extractive) and by the store_memory tool of a voice command. Each new memory is also ' +
    'pushed on the realtime channel as an `episodic_memory` event with this shape. Expired memories are not ' +
    'listed and leave with the retention sweep.',
};

/** The network door's memories. */
@ApiTags('memories')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/memories')
export class MemoriesController {
  constructor(private readonly memories: MemoryService) {}

  @Get()
  @Access('network')
  @ApiOperation(MEMORY_LIST_OPERATION)
  @ApiResponse({ status: 200, type: [EpisodicMemoryDto] })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: PageQueryDto,
  ): Promise<EpisodicMemoryDto[]> {
    return (await this.memories.list(networkId, pageBounds(query, MEMORY_LIST_DEFAULT_LIMIT))).map(
      toMemoryDto,
    );
  }
}
