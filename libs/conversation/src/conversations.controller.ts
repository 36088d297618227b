import { Controller, Get, Param, Query, type Type } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ItemRoutes, PageQueryDto, pageBounds, pageEnvelope } from '@mira/core';
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
  '`is_active: false` ends the conversation, which is then summarised (summary_kind `llm` or `extractive`) and ' +
  'its memories extracted, as when Mira closes it; summaries written here are kept (summary_kind null).';
const NOT_FOUND = {
  status: 404,
  description:
    "CONVERSATION_NOT_FOUND (also for another network's conversation) or PERSON_NOT_FOUND (participants)",
};

/** GET/PUT/PATCH/DELETE /conversations/{conversation_id} and POST /conversations, answering with `answer`. */
function ConversationRoutes<Dto>(
  answer: Type<Dto>,
  toDtos: (
    conversations: ConversationService,
    networkId: string,
    records: ConversationRecord[],
  ) => Dto[] | Promise<Dto[]>,
) {
  return ItemRoutes({
    service: ConversationService,
    operations: (conversations) => conversations,
    idParam: 'conversation_id',
    createBody: CreateConversationDto,
    updateBody: UpdateConversationDto,
    answer,
    toDtos,
    docs: {
      get: 'One conversation',
      create: { summary: 'Create a conversation with a title and 1-50 participants', mayNotFind: true },
      update: { summary: 'Update a conversation', description: UPDATE_DOC },
      delete: { summary: 'Delete a conversation and its interactions', description: DELETE_DOC },
      notFound: NOT_FOUND,
    },
  });
}

/** v2 answers name the participants (read with the conversations). */
function toV2Dtos(
  _conversations: ConversationService,
  _networkId: string,
  records: ConversationRecord[],
): ConversationV2Dto[] {
  return records.map(toConversationV2Dto);
}

/** v1: the original API's shapes (lists are bare arrays, newest first). */
@ApiTags('conversations')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/conversations', version: '1' })
export class ConversationsV1Controller extends ConversationRoutes(
  ConversationDto,
  (_conversations, _networkId, records) => records.map(toConversationDto),
) {
  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Conversations, newest first (limit default 10)' })
  @ApiResponse({ status: 200, type: [ConversationDto] })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: PageQueryDto,
  ): Promise<ConversationDto[]> {
    const page = await this.service.list(networkId, pageBounds(query, 10));
    return this.answers(networkId, page.items);
  }
}

/** v2: list envelope, sort/order/is_active, participant details and activity figures. */
@ApiTags('conversations')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/conversations', version: '2' })
export class ConversationsV2Controller extends ConversationRoutes(ConversationV2Dto, toV2Dtos) {
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
    const page = await this.service.list(
      networkId,
      { limit, offset, sort: query.sort, order: query.order, isActive },
      true,
    );
    return pageEnvelope(await this.answers(networkId, page.items), page.total ?? 0, limit, offset);
  }
}
