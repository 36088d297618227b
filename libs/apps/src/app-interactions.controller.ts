import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AudioUploadInterceptor } from '@mira/audio';
import {
  Access,
  AccountNetwork,
  CommonErrors,
  CurrentPrincipal,
  ErrorResponseDto,
  pageBounds,
  type Principal,
  RateBudget,
  requestArrivedAt,
  UuidParamPipe,
} from '@mira/core';
import { InteractionService } from '@mira/interaction';
import type { UploadedAudio } from '@mira/stream';
import { AppSegmentsService } from './app-segments.service.js';
import { toAppInteraction } from './app.mapper.js';
import {
  AppInteractionDto,
  AppInteractionListQueryDto,
  heardAudioBody,
  SegmentFieldsDto,
} from './dto/app.dto.js';

const NOT_FOUND = {
  status: 404,
  description: "INTERACTION_NOT_FOUND / CONVERSATION_NOT_FOUND (also for another account's ids)",
  type: ErrorResponseDto,
};
const InteractionIdParam = () => ApiParam({ name: 'interaction_id', format: 'uuid' });

/** The shipped apps' /interactions: what was said in the account, in the apps' Interaction shape. */
@ApiTags('apps')
@Controller('interactions')
export class AppInteractionsController {
  constructor(
    private readonly interactions: InteractionService,
    private readonly segments: AppSegmentsService,
  ) {}

  @Post('register')
  @HttpCode(204)
  @Access('account')
  @RateBudget('ingest')
  @UseInterceptors(AudioUploadInterceptor('audio'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: heardAudioBody('One VAD segment: WAV PCM16 mono 16 kHz from the apps; any format Mira decodes', {
      chunk_start_ms: { type: 'string', description: 'Device epoch ms when speech was detected' },
      chunk_end_ms: { type: 'string', description: 'Device epoch ms when the segment ended' },
    }),
  })
  @ApiOperation({
    summary: 'Upload one segment a device heard (answers 204 once the audio and its job are stored)',
    description:
      'The segment is a chunk of the device’s own stream (stream id = client_id): stored with its arbitration job ' +
      'in one transaction, then, among the account’s devices that heard the same words, the best copy becomes ' +
      'one interaction (pushed to the app as the realtime `interaction` event); the other copies are kept as ' +
      'metrics only. A client_id first seen here becomes a device of the account. Timing: with chunk_end_ms the ' +
      'segment ended then, else with chunk_start_ms it started then, else it ended when it arrived.',
  })
  @ApiResponse({ status: 204, description: 'Stored; the interaction follows on the realtime channel' })
  @ApiResponse({ status: 403, description: 'A device token naming another device', type: ErrorResponseDto })
  @ApiResponse({
    status: 413,
    description: 'AUDIO_TOO_LARGE / AUDIO_TOO_LONG / STREAM_CHUNK_TOO_LONG',
    type: ErrorResponseDto,
  })
  @ApiResponse({ status: 415, description: 'AUDIO_UNDECODABLE', type: ErrorResponseDto })
  @ApiResponse({
    status: 503,
    description: 'The assistant is switched off (Retry-After)',
    type: ErrorResponseDto,
  })
  async register(
    @AccountNetwork() networkId: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: SegmentFieldsDto,
    @UploadedFile() audio: UploadedAudio,
  ): Promise<void> {
    await this.segments.register(networkId, principal, body, audio, requestArrivedAt());
  }

  @Get()
  @Access('account')
  @ApiOperation({
    summary: 'Interactions, newest first (limit default 50)',
    description:
      'conversation_ids (the key repeated) selects those conversations; orphans_only=true the interactions in ' +
      'no conversation; the two together are a 422.',
  })
  @ApiResponse({ status: 200, type: [AppInteractionDto] })
  @ApiResponse(NOT_FOUND)
  async list(
    @AccountNetwork() networkId: string,
    @Query() query: AppInteractionListQueryDto,
  ): Promise<AppInteractionDto[]> {
    if (query.conversation_ids && query.orphans_only) {
      const message = 'conversation_ids and orphans_only=true select nothing together; send one of them';
      throw CommonErrors.validation(message, [{ field: 'orphans_only', messages: [message] }]);
    }
    const page = await this.interactions.list(
      networkId,
      { conversationIds: query.conversation_ids, orphansOnly: query.orphans_only === true },
      pageBounds(query, 50),
    );
    return page.items.map(toAppInteraction);
  }

  @Get(':interaction_id')
  @Access('account')
  @InteractionIdParam()
  @ApiOperation({ summary: 'One interaction' })
  @ApiResponse({ status: 200, type: AppInteractionDto })
  @ApiResponse(NOT_FOUND)
  async get(
    @AccountNetwork() networkId: string,
    @Param('interaction_id', new UuidParamPipe('interaction_id')) id: string,
  ): Promise<AppInteractionDto> {
    return toAppInteraction(await this.interactions.get(networkId, id));
  }

  @Delete(':interaction_id')
  @HttpCode(204)
  @Access('account')
  @InteractionIdParam()
  @ApiOperation({
    summary: 'Delete an interaction',
    description:
      'Repeating it answers 204 again, also for an interaction deleted with its conversation; an id that was ' +
      "never this account's is a 404.",
  })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @AccountNetwork() networkId: string,
    @Param('interaction_id', new UuidParamPipe('interaction_id')) id: string,
  ): Promise<void> {
    await this.interactions.delete(networkId, id);
  }
}
