import { Controller, Get, Param, Query, Res, type Type } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  Access,
  CommonErrors,
  decodeCursor,
  encodeCursor,
  ErrorResponseDto,
  ItemRoutes,
  type KeysetPosition,
  pageBounds,
  pageEnvelope,
} from '@mira/core';
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
const BAD_CURSOR = {
  status: 400,
  description:
    'INVALID_CURSOR: a cursor this API did not issue, issued for another network, sort or order, or with offset',
  type: ErrorResponseDto,
};
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

/** Where the page starts: after the cursor's position, or at the offset (a cursor with an offset above 0 is a 400). */
function pageStart(
  networkId: string,
  query: InteractionListQueryDto,
  sort: 'occurred_at' | 'created_at',
  order: 'asc' | 'desc',
): { limit: number; offset: number; after?: KeysetPosition } {
  const { limit, offset } = pageBounds(query, 50);
  if (query.cursor === undefined) return { limit, offset };
  if (offset > 0) throw CommonErrors.invalidCursor('cursor and an offset above 0 exclude each other');
  return { limit, offset: 0, after: decodeCursor(query.cursor, { networkId, sort, order }) };
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
  @ApiResponse({
    status: 200,
    type: [InteractionDto],
    headers: {
      'X-Next-Cursor': {
        description:
          'Pass as `cursor` for the next page (constant cost at any depth); absent on the last page',
        schema: { type: 'string' },
      },
    },
  })
  @ApiResponse(BAD_CURSOR)
  @ApiResponse(NOT_FOUND)
  async list(
    @Param('network_id') networkId: string,
    @Query() query: InteractionListQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<InteractionDto[]> {
    const start = pageStart(networkId, query, 'occurred_at', 'desc');
    const page = await this.service.list(networkId, toFilter(query), start, false);
    if (page.next) {
      res.setHeader(
        'X-Next-Cursor',
        encodeCursor({ networkId, sort: 'occurred_at', order: 'desc' }, page.next),
      );
    }
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
      `${LIST_DOC} total is exact: for the whole network, one person_id, one conversation_id or one ` +
      'interaction_type it is read from a ' +
      'counter the database keeps with every write (constant cost); under other filters it is counted (cost grows ' +
      'with the matching interactions). An offset skips index entries, so deep offsets cost more; next_cursor ' +
      'reaches any depth at the cost of the first page.',
  })
  @ApiResponse({ status: 200, type: InteractionPageDto })
  @ApiResponse(BAD_CURSOR)
  @ApiResponse(NOT_FOUND)
  async list(
    @Param('network_id') networkId: string,
    @Query() query: InteractionListQueryV2Dto,
  ): Promise<InteractionPageDto> {
    const sort = query.sort ?? 'occurred_at';
    const order = query.order ?? 'desc';
    const start = pageStart(networkId, query, sort, order);
    const page = await this.service.list(networkId, toFilter(query), { ...start, sort, order }, true);
    const envelope = pageEnvelope(
      page.items.map(toInteractionV2Dto),
      page.total ?? 0,
      start.limit,
      start.offset,
    );
    return {
      ...envelope,
      next_offset: start.after ? null : envelope.next_offset,
      next_cursor: page.next ? encodeCursor({ networkId, sort, order }, page.next) : null,
    };
  }
}
