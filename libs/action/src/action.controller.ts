import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ErrorResponseDto, pageBounds, RateBudget, UuidParamPipe } from '@mira/core';
import { ActionDto, ActionListQueryDto, InferenceResultDto, UpdateActionDto } from './dto/action.dto.js';
import { toActionDto, toInferenceResultDto } from './action.mapper.js';
import { ActionService } from './action.service.js';

/** Actions found in interactions; served under /api/v1 and /api/v2. */
@ApiTags('actions')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id')
export class ActionController {
  constructor(private readonly actions: ActionService) {}

  @Get('actions')
  @Access('network')
  @ApiOperation({
    summary: 'Actions of the network, newest first (a bare array, like the shipped clients expect)',
  })
  @ApiResponse({ status: 200, type: [ActionDto] })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: ActionListQueryDto,
  ): Promise<ActionDto[]> {
    const page = pageBounds(query, 100);
    return (
      await this.actions.list(
        networkId,
        {
          status: query.status,
          actionType: query.action_type,
          personId: query.person_id,
          conversationId: query.conversation_id,
          interactionId: query.interaction_id,
        },
        page,
      )
    ).items.map(toActionDto);
  }

  @Get('actions/:action_id')
  @Access('network')
  @ApiParam({ name: 'action_id', format: 'uuid' })
  @ApiOperation({ summary: 'One action' })
  @ApiResponse({ status: 200, type: ActionDto })
  @ApiResponse({ status: 404, description: 'ACTION_NOT_FOUND', type: ErrorResponseDto })
  async get(
    @Param('network_id') networkId: string,
    @Param('action_id', new UuidParamPipe('action_id')) id: string,
  ): Promise<ActionDto> {
    return toActionDto(await this.actions.get(networkId, id));
  }

  @Patch('actions/:action_id')
  @Access('network')
  @ApiParam({ name: 'action_id', format: 'uuid' })
  @ApiOperation({ summary: 'Confirm or dismiss an action (or set it back to pending)' })
  @ApiResponse({ status: 200, type: ActionDto })
  @ApiResponse({ status: 404, description: 'ACTION_NOT_FOUND', type: ErrorResponseDto })
  async update(
    @Param('network_id') networkId: string,
    @Param('action_id', new UuidParamPipe('action_id')) id: string,
    @Body() body: UpdateActionDto,
  ): Promise<ActionDto> {
    return toActionDto(await this.actions.setStatus(networkId, id, body.status));
  }

  @Post('interactions/:interaction_id/inference')
  @Access('network')
  @RateBudget('llm')
  @ApiParam({ name: 'interaction_id', format: 'uuid' })
  @ApiOperation({
    summary: 'Run action extraction on one interaction now',
    description:
      'Gemini structured output (remind / schedule / contact) when GEMINI_API_KEY is set; otherwise, or when ' +
      'Gemini fails, the offline rule-based extractor, and `source: "rules"` with a `note` says so. A found ' +
      'action is stored (one per interaction; a pending one is refreshed, a confirmed or dismissed one kept).',
  })
  @ApiResponse({ status: 201, type: InferenceResultDto })
  @ApiResponse({ status: 404, description: 'INTERACTION_NOT_FOUND', type: ErrorResponseDto })
  @ApiResponse({ status: 409, description: 'INTERACTION_NOT_TRANSCRIBED', type: ErrorResponseDto })
  async infer(
    @Param('network_id') networkId: string,
    @Param('interaction_id', new UuidParamPipe('interaction_id')) id: string,
  ): Promise<InferenceResultDto> {
    // On demand there is no later retry: a failing Gemini falls back to the rules at once.
    return toInferenceResultDto(await this.actions.infer(networkId, id, { finalAttempt: true }));
  }
}
