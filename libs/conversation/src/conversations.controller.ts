import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, PageQueryDto, pageBounds, pageEnvelope, UuidParamPipe } from '@mira/core';
import {
  ConversationDto,
  ConversationListQueryV2Dto,
  ConversationPageDto,
  ConversationV2Dto,
  CreateConversationDto,
  UpdateConversationDto,
} from './dto/conversation.dto.js';
import { toConversationDto, toConversationV2Dto } from './conversation.mapper.js';
import type { ConversationRecord } from './conversation.types.js';
import { ConversationService } from './conversation.service.js';

const DELETE_DOC =
  'Deletes the conversation AND its interactions (clients drop them from their caches on delete). ' +
  'Idempotent: repeating the delete answers 204 again, and deleting one of its interactions afterwards also ' +
  'answers 204; an id that never existed in this network (or belongs to another network) is a 404.';
const UPDATE_DOC =
  'Only the fields given change (PUT and PATCH behave the same); `participants` replaces the list; ' +
  '`is_active: false` ends the conversation.';
const NOT_FOUND = {
  status: 404,
  description:
    "CONVERSATION_NOT_FOUND (also for another network's conversation) or PERSON_NOT_FOUND (participants)",
};
const ConversationIdParam = () => ApiParam({ name: 'conversation_id', format: 'uuid' });

/** v1: the seed's shapes (lists are bare arrays, newest first). */
@ApiTags('conversations')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/conversations', version: '1' })
export class ConversationsV1Controller {
  constructor(private readonly conversations: ConversationService) {}

  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Conversations, newest first (limit default 10)' })
  @ApiResponse({ status: 200, type: [ConversationDto] })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: PageQueryDto,
  ): Promise<ConversationDto[]> {
    return (await this.conversations.list(networkId, pageBounds(query, 10))).items.map(toConversationDto);
  }

  @Get(':conversation_id')
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'One conversation' })
  @ApiResponse({ status: 200, type: ConversationDto })
  @ApiResponse(NOT_FOUND)
  async get(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.get(networkId, id));
  }

  @Post()
  @Access('network')
  @ApiOperation({ summary: 'Create a conversation with a title and 1-50 participants' })
  @ApiResponse({ status: 201, type: ConversationDto })
  @ApiResponse(NOT_FOUND)
  async create(
    @Param('network_id') networkId: string,
    @Body() body: CreateConversationDto,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.create(networkId, body));
  }

  @Put(':conversation_id')
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'Update a conversation', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: ConversationDto })
  @ApiResponse(NOT_FOUND)
  async update(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.update(networkId, id, body));
  }

  @Patch(':conversation_id')
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'Update a conversation (same as PUT)', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: ConversationDto })
  @ApiResponse(NOT_FOUND)
  patch(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationDto> {
    return this.update(networkId, id, body);
  }

  @Delete(':conversation_id')
  @HttpCode(204)
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'Delete a conversation and its interactions', description: DELETE_DOC })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
  ): Promise<void> {
    await this.conversations.delete(networkId, id);
  }
}

/** v2: list envelope, sort/order/is_active, participant details and activity figures. */
@ApiTags('conversations')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/conversations', version: '2' })
export class ConversationsV2Controller {
  constructor(private readonly conversations: ConversationService) {}

  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Conversations in an envelope (newest first by default, limit default 10)' })
  @ApiResponse({ status: 200, type: ConversationPageDto })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: ConversationListQueryV2Dto,
  ): Promise<ConversationPageDto> {
    const { limit, offset } = pageBounds(query, 10);
    const isActive = query.is_active === undefined ? undefined : query.is_active === 'true';
    const page = await this.conversations.list(
      networkId,
      { limit, offset, sort: query.sort, order: query.order, isActive },
      true,
    );
    return pageEnvelope(await this.toV2(networkId, page.items), page.total ?? 0, limit, offset);
  }

  @Get(':conversation_id')
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'One conversation' })
  @ApiResponse({ status: 200, type: ConversationV2Dto })
  @ApiResponse(NOT_FOUND)
  async get(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
  ): Promise<ConversationV2Dto> {
    return (await this.toV2(networkId, [await this.conversations.get(networkId, id)]))[0]!;
  }

  @Post()
  @Access('network')
  @ApiOperation({ summary: 'Create a conversation with a title and 1-50 participants' })
  @ApiResponse({ status: 201, type: ConversationV2Dto })
  @ApiResponse(NOT_FOUND)
  async create(
    @Param('network_id') networkId: string,
    @Body() body: CreateConversationDto,
  ): Promise<ConversationV2Dto> {
    return (await this.toV2(networkId, [await this.conversations.create(networkId, body)]))[0]!;
  }

  @Put(':conversation_id')
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'Update a conversation', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: ConversationV2Dto })
  @ApiResponse(NOT_FOUND)
  async update(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationV2Dto> {
    return (await this.toV2(networkId, [await this.conversations.update(networkId, id, body)]))[0]!;
  }

  @Patch(':conversation_id')
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'Update a conversation (same as PUT)', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: ConversationV2Dto })
  @ApiResponse(NOT_FOUND)
  patch(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationV2Dto> {
    return this.update(networkId, id, body);
  }

  @Delete(':conversation_id')
  @HttpCode(204)
  @Access('network')
  @ConversationIdParam()
  @ApiOperation({ summary: 'Delete a conversation and its interactions', description: DELETE_DOC })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @Param('network_id') networkId: string,
    @Param('conversation_id', new UuidParamPipe('conversation_id')) id: string,
  ): Promise<void> {
    await this.conversations.delete(networkId, id);
  }

  private async toV2(networkId: string, records: ConversationRecord[]): Promise<ConversationV2Dto[]> {
    const persons = await this.conversations.participantPersons(networkId, records);
    return records.map((r) => toConversationV2Dto(r, persons));
  }
}
