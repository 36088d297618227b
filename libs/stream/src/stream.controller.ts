import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AudioUploadInterceptor } from '@mira/audio';
import {
  Access,
  CurrentPrincipal,
  ErrorResponseDto,
  RateBudget,
  requestArrivedAt,
  type Principal,
} from '@mira/core';
import {
  PhoneLocationBodyDto,
  PhoneLocationUpdatedDto,
  PhoneRssiBodyDto,
  PhoneRssiUpdatedDto,
} from './dto/phone.dto.js';
import { BestStreamDto, ChunkAcceptedDto, StreamDto, StreamScoresDto } from './dto/stream.dto.js';
import { ChunkIngestionService } from './chunk-ingestion.service.js';
import { PhoneSignalService } from './phone-signal.service.js';
import { StreamReadService } from './stream-read.service.js';
import {
  toBestStreamDto,
  toChunkAcceptedDto,
  toLocationUpdatedDto,
  toRssiUpdatedDto,
  toStreamDto,
  toStreamScoresDto,
} from './stream.mapper.js';
import type { UploadedAudio } from './stream.types.js';

/** The original API's /streams routes: audio ingestion per device stream, the current best stream, phone signals. */
@ApiTags('streams')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/streams')
export class StreamController {
  constructor(
    private readonly ingestion: ChunkIngestionService,
    private readonly streams: StreamReadService,
    private readonly phones: PhoneSignalService,
  ) {}

  @Get('best')
  @Access('network')
  @ApiOperation({ summary: 'The stream holding the floor (else the best-scoring active stream, else null)' })
  @ApiResponse({ status: 200, type: BestStreamDto })
  async best(@Param('network_id') networkId: string): Promise<BestStreamDto> {
    return toBestStreamDto(await this.streams.best(networkId));
  }

  @Get('scores')
  @Access('network')
  @ApiOperation({
    summary: 'Scores of the active streams, the current best, and every stream of the network',
  })
  @ApiResponse({ status: 200, type: StreamScoresDto })
  async scores(@Param('network_id') networkId: string): Promise<StreamScoresDto> {
    return toStreamScoresDto(await this.streams.scores(networkId));
  }

  @Post('phone/location')
  @HttpCode(200)
  @Access('network')
  @RateBudget('ingest')
  @ApiOperation({ summary: "A phone reports a device's location; feeds the location component of its score" })
  @ApiResponse({ status: 200, type: PhoneLocationUpdatedDto })
  @ApiResponse({ status: 404, description: 'Client not registered in the network', type: ErrorResponseDto })
  async location(
    @Param('network_id') networkId: string,
    @Body() body: PhoneLocationBodyDto,
  ): Promise<PhoneLocationUpdatedDto> {
    return toLocationUpdatedDto(await this.phones.reportLocation(networkId, body));
  }

  @Post('phone/rssi')
  @HttpCode(200)
  @Access('network')
  @RateBudget('ingest')
  @ApiOperation({
    summary: 'A phone reports the RSSI it measures to a device; feeds the RSSI component of its score',
  })
  @ApiResponse({ status: 200, type: PhoneRssiUpdatedDto })
  @ApiResponse({
    status: 404,
    description: 'The phone (phone_client_id) or the target client is not registered in the network',
    type: ErrorResponseDto,
  })
  async rssi(
    @Param('network_id') networkId: string,
    @Body() body: PhoneRssiBodyDto,
  ): Promise<PhoneRssiUpdatedDto> {
    return toRssiUpdatedDto(await this.phones.reportRssi(networkId, body));
  }

  @Get(':stream_id')
  @Access('network')
  @ApiParam({ name: 'stream_id', example: 'kitchen' })
  @ApiOperation({ summary: "A stream's latest score, quality components, activity and floor" })
  @ApiResponse({ status: 200, type: StreamDto })
  @ApiResponse({ status: 404, description: 'Unknown stream', type: ErrorResponseDto })
  async get(
    @Param('network_id') networkId: string,
    @Param('stream_id') streamId: string,
  ): Promise<StreamDto> {
    return toStreamDto(await this.streams.get(networkId, streamId));
  }

  @Post(':stream_id/audio')
  @HttpCode(200)
  @Access('network')
  @RateBudget('ingest')
  @UseInterceptors(AudioUploadInterceptor('audio_data'))
  @ApiParam({
    name: 'stream_id',
    example: 'kitchen',
    description: '1-64 of [A-Za-z0-9._-]; not best/scores/phone',
  })
  @ApiConsumes('multipart/form-data')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Retries with the same key (per device) answer the original result and are not processed twice',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['audio_data', 'timestamp'],
      properties: {
        audio_data: {
          type: 'string',
          format: 'binary',
          description: 'WAV, raw PCM16LE 16 kHz mono, FLAC, …',
        },
        timestamp: {
          type: 'string',
          example: '2026-01-01T12:00:00.000Z',
          description: "Capture time of the chunk's first sample on the device clock: ISO 8601 or epoch ms",
        },
        metadata: {
          type: 'string',
          example: '{"app":"desktop 1.2"}',
          description: 'Optional JSON object (≤ 4 KiB)',
        },
        seq: {
          type: 'integer',
          minimum: 0,
          description: 'Optional per-stream sequence number (retries absorbed)',
        },
      },
    },
  })
  @ApiOperation({
    summary: 'Upload one audio chunk of a device stream (device token only)',
    description:
      'Stores the chunk (decoded) and answers its quality score and whether this stream holds the floor. The ' +
      'best copy among the microphones that heard the same moment is forwarded to the pipeline once the ' +
      'arbitration window has passed; the other copies are kept as metrics only. The pipeline makes one ' +
      'interaction of the chunk, or one per turn (source_turn 0, 1, …; metadata.audio.turn) when two or more ' +
      'voices the speaker policy tells clearly apart speak in it.',
  })
  @ApiResponse({ status: 200, type: ChunkAcceptedDto })
  @ApiResponse({
    status: 403,
    description: 'A user token (audio comes from devices)',
    type: ErrorResponseDto,
  })
  @ApiResponse({
    status: 409,
    description: 'seq reused for different audio; stream of another device',
    type: ErrorResponseDto,
  })
  @ApiResponse({
    status: 413,
    description: 'Audio too large (AUDIO_MAX_BYTES) or too long',
    type: ErrorResponseDto,
  })
  @ApiResponse({ status: 415, description: 'Audio format not decodable', type: ErrorResponseDto })
  @ApiResponse({
    status: 503,
    description: 'Service disabled in this network (Retry-After)',
    type: ErrorResponseDto,
  })
  async ingest(
    @Param('network_id') networkId: string,
    @Param('stream_id') streamId: string,
    @CurrentPrincipal() principal: Principal,
    @UploadedFile() file: UploadedAudio,
    @Body() body: Record<string, unknown>,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<ChunkAcceptedDto> {
    const receipt = await this.ingestion.ingest(
      networkId,
      principal,
      streamId,
      file,
      body ?? {},
      idempotencyKey,
      requestArrivedAt(),
    );
    return toChunkAcceptedDto(receipt);
  }
}
