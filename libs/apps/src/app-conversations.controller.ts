import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, AccountNetwork, ErrorResponseDto, pageBounds, UuidParamPipe } from '@mira/core';
import { ConversationDto, ConversationService, toConversationDto } from '@mira/conversation';
import { AppListQueryDto } from './dto/app.dto.js';

const NOT_FOUND = {
  status: 404,
  description: "CONVERSATION_NOT_FOUND (also for another account's conversation)",
  type: ErrorResponseDto,
};
const ConversationIdParam = () => ApiParam({ name: 'conversation_id', format: 'uuid' });

/** The shipped apps' /conversations: the account's conversations, as the network door serves them in v1. */
@ApiTags('apps')
@Controller('conversations')
export class AppConversationsController {
  constructor(private readonly conversations: ConversationService) {}

  @Get()
  @Access('account')
  @ApiOperation({
    summary: 'Conversations, newest first (limit default 500: the apps ask without one for all)',
  })
  @ApiResponse({ status: 200, type: [ConversationDto] })
  async list(
    @AccountNetwork() networkId: string,
    @Query() query: AppListQueryDto,
  ): Promise<ConversationDto[]> {
    return (await this.conversations.list(networkId, pageBounds(query, 500))).items.map(toConversationDto);
  }

  @Get(':conversation_id')
  @Access('account')
  @ConversationIdParam()
  @ApiOperation({ summary: 'One conversation' })
  @ApiResponse({ status: 200, type: ConversationDto })
  @ApiResponse(NOT_FOUND)
  async get(
    @AccountNetwork() networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.get(networkId, id));
  }

  @Delete(':conversation_id')
  @HttpCode(204)
  @Access('account')
  @ConversationIdParam()
  @ApiOperation({
    summary: 'Delete a conversation and its interactions',
    description:
      'Repeating it answers 204 again, and so does deleting one of its interactions afterwards; an id that was ' +
      "never this account's is a 404.",
  })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @AccountNetwork() networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
  ): Promise<void> {
    await this.conversations.delete(networkId, id);
  }
}
