import { Body, Controller, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AudioUploadInterceptor } from '@mira/audio';
import {
  Access,
  AccountNetwork,
  AppLogger,
  CurrentPrincipal,
  ErrorResponseDto,
  type Principal,
  RateBudget,
} from '@mira/core';
import {
  COMMAND_EVENT_SCHEMA,
  COMMAND_MAX_SECONDS,
  type CommandStreamEvent,
  VoiceCommandService,
} from '@mira/command';
import { HeardAudioFieldsDto, heardAudioBody } from './dto/app.dto.js';

/** dadei's voice commands: a wake-word segment in, the assistant's work out as server-sent events. */
@ApiTags('apps')
@Controller('actions')
export class AppVoiceCommandsController {
  constructor(
    private readonly commands: VoiceCommandService,
    private readonly logger: AppLogger,
  ) {}

  @Post('voice')
  @Access('account')
  @RateBudget('llm')
  @UseInterceptors(AudioUploadInterceptor('audio'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: heardAudioBody(
      `The command as spoken, wake word first (WAV from the apps; any format Mira decodes; at most ${COMMAND_MAX_SECONDS} s)`,
    ),
  })
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'Run a voice command; the answer streams as server-sent events',
    description:
      'Lines `data: {json}` of types transcript{text}, token{text}, tool_call{tool, status}, ' +
      'tool_result{tool, ok, summary?}, error{message}, and done (always last). The stream opens as soon as the ' +
      'audio is accepted (a comment line first). With Gemini: streamed generation with function calling over ' +
      'create_reminder, create_task, create_calendar_event (actions of the command), store_memory, search_memory, ' +
      'get_current_time; send_email and web_search answer tool_result ok=false. Offline: the offline ' +
      'transcriber (none → error) and the rule-based extractor. The command is recorded as one interaction ' +
      'outside conversations (metadata.voice_command), at most one action per command. Closing the connection ' +
      'stops the work. Rate budget: llm.',
  })
  @ApiResponse({
    status: 200,
    description: 'The event stream (each event one `data:` line followed by a blank line)',
    content: { 'text/event-stream': { schema: COMMAND_EVENT_SCHEMA } },
  })
  @ApiResponse({ status: 403, description: 'A device token naming another device', type: ErrorResponseDto })
  @ApiResponse({ status: 413, description: 'AUDIO_TOO_LARGE', type: ErrorResponseDto })
  @ApiResponse({ status: 415, description: 'AUDIO_UNDECODABLE', type: ErrorResponseDto })
  @ApiResponse({
    status: 422,
    description: 'client_id missing or not a device name, no audio file, or longer than the limit',
    type: ErrorResponseDto,
  })
  @ApiResponse({
    status: 429,
    description: 'The llm rate budget is spent (Retry-After)',
    type: ErrorResponseDto,
  })
  async voice(
    @AccountNetwork() networkId: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: HeardAudioFieldsDto,
    @UploadedFile() audio: Express.Multer.File,
    @Res() res: Response,
  ): Promise<void> {
    // Refusals (bad device name, audio that does not decode) are plain error answers, before the stream opens.
    const command = await this.commands.prepare(networkId, principal, body.client_id, audio);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': command accepted\n\n');
    const send = (event: CommandStreamEvent) => {
      if (!res.writableEnded && !res.destroyed) res.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    try {
      for await (const event of this.commands.run(command, abort.signal)) send(event);
    } catch (err) {
      // After the headers went out an error can only be told in the stream.
      this.logger.error('voice_command_crashed', {
        network_id: networkId,
        error_name: err instanceof Error ? err.name : 'unknown',
      });
      send({ type: 'error', message: 'The command failed on the server' });
      send({ type: 'done' });
    }
    if (abort.signal.aborted) this.logger.info('voice_command_abandoned', { network_id: networkId });
    res.end();
  }
}
