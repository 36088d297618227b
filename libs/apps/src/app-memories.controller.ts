import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, AccountNetwork, pageBounds, PageQueryDto } from '@mira/core';
import {
  EpisodicMemoryDto,
  MEMORY_LIST_DEFAULT_LIMIT,
  MEMORY_LIST_OPERATION,
  MemoryService,
  toMemoryDto,
} from '@mira/memory';

/** The shipped apps' /memories (dadei's assistant shell and settings): the account network's episodic memories. */
@ApiTags('apps')
@Controller('memories')
export class AppMemoriesController {
  constructor(private readonly memories: MemoryService) {}

  @Get()
  @Access('account')
  @ApiOperation(MEMORY_LIST_OPERATION)
  @ApiResponse({ status: 200, type: [EpisodicMemoryDto] })
  async list(
    @AccountNetwork() networkId: string,
    @Query() query: PageQueryDto,
  ): Promise<EpisodicMemoryDto[]> {
    return (await this.memories.list(networkId, pageBounds(query, MEMORY_LIST_DEFAULT_LIMIT))).map(
      toMemoryDto,
    );
  }
}
