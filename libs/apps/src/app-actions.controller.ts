import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ActionService, UpdateActionDto } from '@mira/action';
import {
  Access,
  AccountNetwork,
  ErrorResponseDto,
  pageBounds,
  PageQueryDto,
  UuidParamPipe,
} from '@mira/core';
import { toAppAction } from './app.mapper.js';
import { AppActionDto } from './dto/app.dto.js';

/** The shipped apps' /actions: what the assistant found to do, in dadei's NetworkAction shape. */
@ApiTags('apps')
@Controller('actions')
export class AppActionsController {
  constructor(private readonly actions: ActionService) {}

  @Get()
  @Access('account')
  @ApiOperation({ summary: 'Actions, newest first (limit default 100)' })
  @ApiResponse({ status: 200, type: [AppActionDto] })
  async list(@AccountNetwork() networkId: string, @Query() query: PageQueryDto): Promise<AppActionDto[]> {
    return (await this.actions.list(networkId, {}, pageBounds(query, 100))).items.map(toAppAction);
  }

  @Patch(':action_id')
  @Access('account')
  @ApiParam({ name: 'action_id', format: 'uuid' })
  @ApiOperation({ summary: 'Confirm or dismiss an action (or set it back to pending)' })
  @ApiResponse({ status: 200, type: AppActionDto })
  @ApiResponse({
    status: 404,
    description: "ACTION_NOT_FOUND (also for another account's action)",
    type: ErrorResponseDto,
  })
  async update(
    @AccountNetwork() networkId: string,
    @Param('action_id', new UuidParamPipe('action_id')) id: string,
    @Body() body: UpdateActionDto,
  ): Promise<AppActionDto> {
    return toAppAction(await this.actions.setStatus(networkId, id, body.status));
  }
}
