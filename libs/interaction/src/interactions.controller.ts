import { Controller, Get, Param, Query, type Type } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ItemRoutes, pageBounds, pageEnvelope } from '@mira/core';
import {
  CreateInteractionDto,
  InteractionDto,
  InteractionListQueryDto,
  InteractionListQueryV2Dto,
  InteractionPageDto,
  InteractionV2Dto,
  UpdateInteractionDto,
} from './dto/interaction.dto.js';
import type { InteractionFilter } from './interaction.repository.js';
import type { Interaction } from './interaction.types.js';
import { toInteractionDto, toInteractionV2Dto } from './interaction.mapper.js';
import { InteractionService } from './interaction.service.js';

const LIST_DOC =
  'Filters: person_id, conversation_id, interaction_type, since (inclusive), until (exclusive) on occurred_at. ' +
  'A person_id or conversation_id that is not in this network answers 404.';
const CREATE_DOC =
  'person_id and conversation_id must belong to this network (404 otherwise); with both, the person joins the ' +
  "conversation's participants.";
const UPDATE_DOC =
  'Only the fields given change (PUT and PATCH behave the same); null person_id/conversation_id detaches.';
const DELETE_DOC =
  'Idempotent: repeating the delete (or deleting an interaction removed with its conversation) answers 204; ' +
  'an id that never existed in this network (or belongs to another network) is a 404.';
const NOT_FOUND = {
  status: 404,
  description:
    "INTERACTION_NOT_FOUND, PERSON_NOT_FOUND or CONVERSATION_NOT_FOUND (also for another network's ids)",
};

function toFilter(query: InteractionListQueryDto): InteractionFilter {
  return {
    personId: query.person_id,
    conversationId: query.conversation_id,
    interactionType: query.interaction_type,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
  };
}

/** GET/PUT/PATCH/DELETE /interactions/{interaction_id} and POST /interactions, answering with `answer`. */
function InteractionRoutes<Dto>(answer: Type<Dto>, toDto: (interaction: Interaction) => Dto) {
  return ItemRoutes({
    service: InteractionService,
    operations: (interactions) => interactions,
    idParam: 'interaction_id',
    createBody: CreateInteractionDto,
    updateBody: UpdateInteractionDto,
    answer,
    toDtos: (_interactions, _networkId, records) => records.map(toDto),
    docs: {
      get: 'One interaction',
      create: { summary: 'Record an interaction', description: CREATE_DOC, mayNotFind: true },
      update: { summary: 'Update an interaction', description: UPDATE_DOC },
      delete: { summary: 'Delete an interaction', description: DELETE_DOC },
      notFound: NOT_FOUND,
    },
  });
}

/** v1: the original API's shapes (lists are bare arrays, newest first). */
@ApiTags('interactions')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/interactions', version: '1' })
export class InteractionsV1Controller extends InteractionRoutes(InteractionDto, toInteractionDto) {
  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Interactions, newest first (limit default 50)', description: LIST_DOC })
  @ApiResponse({ status: 200, type: [InteractionDto] })
  @ApiResponse(NOT_FOUND)
  async list(
    @Param('network_id') networkId: string,
    @Query() query: InteractionListQueryDto,
  ): Promise<InteractionDto[]> {
    const { limit, offset } = pageBounds(query, 50);
    const page = await this.service.list(networkId, toFilter(query), { limit, offset }, false);
    return page.items.map(toInteractionDto);
  }
}

/** v2: list envelope, sort/order and the utterance pipeline's figures. */
@ApiTags('interactions')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/interactions', version: '2' })
export class InteractionsV2Controller extends InteractionRoutes(InteractionV2Dto, toInteractionV2Dto) {
  @Get()
  @Access('network')
  @ApiOperation({
    summary: 'Interactions in an envelope (newest first by default, limit default 50)',
    description:
      `${LIST_DOC} total is exact: for the whole network, one person_id or one conversation_id it is read from a ` +
      'counter the database keeps with every write (constant cost); under other filters it is counted (cost grows ' +
      'with the matching interactions). An offset skips index entries, so deep offsets still cost more: narrow ' +
      'with since/until.',
  })
  @ApiResponse({ status: 200, type: InteractionPageDto })
  @ApiResponse(NOT_FOUND)
  async list(
    @Param('network_id') networkId: string,
    @Query() query: InteractionListQueryV2Dto,
  ): Promise<InteractionPageDto> {
    const { limit, offset } = pageBounds(query, 50);
    const page = await this.service.list(
      networkId,
      toFilter(query),
      { limit, offset, sort: query.sort, order: query.order },
      true,
    );
    return pageEnvelope(page.items.map(toInteractionV2Dto), page.total ?? 0, limit, offset);
  }
}
