import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ErrorResponseDto, PageQueryDto, pageBounds, pageEnvelope, UuidParamPipe } from '@mira/core';
import {
  CreateRecordingDto,
  RecordingAcceptedDto,
  RecordingDetailDto,
  RecordingDto,
  RecordingPageDto,
} from './dto/recording.dto.js';
import { toRecordingAcceptedDto, toRecordingDetailDto, toRecordingDto } from './recording.mapper.js';
import { RecordingService } from './recording.service.js';
import {
  RECORDING_FIELD,
  RecordingUploadInterceptor,
  type RecordingUploadRequest,
} from './recording-upload.interceptor.js';

const UPLOAD_DOC =
  'Multipart: the recording in `audio` (WAV, FLAC, MP3, Ogg/Opus, Ogg/Vorbis, WebM/Opus or raw PCM16LE 16 kHz mono, ' +
  'up to RECORDINGS_MAX_SECONDS, default 2 h, and RECORDINGS_MAX_BYTES), streamed to storage as it arrives. ' +
  'Answers 202 once every byte is stored, with the task that processes it: decoding, diarization (who spoke ' +
  'when, the number of speakers unknown), each voice identified with the speaker policy, each turn transcribed ' +
  'and recorded as an interaction of one conversation. Follow it with GET /tasks/{task_id}, then read the ' +
  'turns with GET /recordings/{recording_id}. Processing survives restarts and resumes where it stopped.';

const NOT_FOUND = {
  status: 404,
  description: "RECORDING_NOT_FOUND (also another network's recording)",
  type: ErrorResponseDto,
};

/** Long recordings: upload, processing status, turns; served under /api/v1 and /api/v2. */
@ApiTags('recordings')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/recordings')
export class RecordingController {
  constructor(private readonly recordings: RecordingService) {}

  @Post()
  @HttpCode(202)
  @Access('network')
  @UseInterceptors(RecordingUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [RECORDING_FIELD],
      properties: {
        [RECORDING_FIELD]: {
          type: 'string',
          format: 'binary',
          description: 'WAV, FLAC, MP3, Ogg/Opus, Ogg/Vorbis, WebM/Opus or raw PCM16LE 16 kHz mono',
        },
        recorded_at: {
          type: 'string',
          example: '2026-01-01T12:00:00Z',
          description: 'When the first sample was heard (ISO 8601 with a time zone); default: on arrival',
        },
        title: { type: 'string', maxLength: 200, description: "The conversation's title" },
        metadata: { type: 'string', example: '{"room":"kitchen"}', description: 'A JSON object as text' },
      },
    },
  })
  @ApiOperation({
    summary: 'Upload a recording to be diarized, identified and transcribed',
    description: UPLOAD_DOC,
  })
  @ApiResponse({ status: 202, type: RecordingAcceptedDto })
  @ApiResponse({
    status: 413,
    description:
      'AUDIO_TOO_LARGE (RECORDINGS_MAX_BYTES) or AUDIO_TOO_LONG (WAV and raw PCM: from their size)',
    type: ErrorResponseDto,
  })
  @ApiResponse({
    status: 415,
    description: 'AUDIO_UNDECODABLE: a container Mira does not decode',
    type: ErrorResponseDto,
  })
  @ApiResponse({
    status: 422,
    description: 'AUDIO_FILE_MISSING, AUDIO_EMPTY, invalid fields',
    type: ErrorResponseDto,
  })
  async upload(
    @Param('network_id') networkId: string,
    @Req() req: RecordingUploadRequest,
    @Body() body: CreateRecordingDto,
  ): Promise<RecordingAcceptedDto> {
    const recording = await this.recordings.accept(networkId, req.recordingUpload!, {
      recordedAt: body.recorded_at ? new Date(body.recorded_at) : undefined,
      title: body.title,
      metadata: body.metadata,
    });
    return toRecordingAcceptedDto(recording);
  }

  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Recordings of the network, newest first (without their turns)' })
  @ApiResponse({ status: 200, type: RecordingPageDto })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: PageQueryDto,
  ): Promise<RecordingPageDto> {
    const page = pageBounds(query);
    const { items, total } = await this.recordings.list(networkId, page);
    return pageEnvelope(
      items.map((i) => toRecordingDto(i.recording, i.segmentCount)),
      total,
      page.limit,
      page.offset,
    );
  }

  @Get(':recording_id')
  @Access('network')
  @ApiParam({ name: 'recording_id', format: 'uuid' })
  @ApiOperation({
    summary: 'A recording with its turns: who spoke when, and what was said',
    description:
      'Turns appear once the recording is diarized; each gets its person, text and interaction as it is ' +
      'processed (status `done` when all have).',
  })
  @ApiResponse({ status: 200, type: RecordingDetailDto })
  @ApiResponse(NOT_FOUND)
  async get(
    @Param('network_id') networkId: string,
    @Param('recording_id', new UuidParamPipe('recording_id')) id: string,
  ): Promise<RecordingDetailDto> {
    const { recording, segments } = await this.recordings.get(networkId, id);
    return toRecordingDetailDto(recording, segments);
  }

  @Post(':recording_id/cancel')
  @HttpCode(200)
  @Access('network')
  @ApiParam({ name: 'recording_id', format: 'uuid' })
  @ApiOperation({
    summary: 'Stop processing a recording',
    description:
      'A queued recording never starts; a running one stops before its next turn. Turns already made stay, the ' +
      'stored audio is dropped. Repeating it answers the cancelled recording again.',
  })
  @ApiResponse({ status: 200, type: RecordingDto })
  @ApiResponse({
    status: 409,
    description: 'RECORDING_FINISHED: already done or failed',
    type: ErrorResponseDto,
  })
  @ApiResponse(NOT_FOUND)
  async cancel(
    @Param('network_id') networkId: string,
    @Param('recording_id', new UuidParamPipe('recording_id')) id: string,
  ): Promise<RecordingDto> {
    const { recording, segmentCount } = await this.recordings.cancel(networkId, id);
    return toRecordingDto(recording, segmentCount);
  }

  @Delete(':recording_id')
  @HttpCode(204)
  @Access('network')
  @ApiParam({ name: 'recording_id', format: 'uuid' })
  @ApiOperation({
    summary: 'Delete a recording, its turns and the conversation (with its interactions) made from it',
    description:
      'Stops its processing first. Repeating the delete answers 204 again; an unknown id is a 404.',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @Param('network_id') networkId: string,
    @Param('recording_id', new UuidParamPipe('recording_id')) id: string,
  ): Promise<void> {
    await this.recordings.delete(networkId, id);
  }
}
