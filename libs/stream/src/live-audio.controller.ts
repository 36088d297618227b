import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, ErrorResponseDto } from '@mira/core';
import {
  DEFAULT_CHUNK_SECONDS,
  MAX_CHUNK_SECONDS,
  MAX_FRAME_BYTES,
  MIN_CHUNK_SECONDS,
  PENDING_CHUNKS,
} from './live-audio-protocol.js';
import { StreamErrors } from './stream.errors.js';

const DESCRIPTION = `A device streams live audio over a WebSocket (\`ws(s)://host/api/v1/{network_id}/streams/{stream_id}/ws\`,
\`/api/v2/…\` too): the same ingestion, arbitration and utterance pipeline as \`POST /streams/{stream_id}/audio\`,
with the same rules (a device token of this network; another network's path is refused as not found). The token is
the \`token\` query parameter or an \`Authorization: Bearer\` header. Full reference: docs/streams.md.

Server → client (JSON text): \`ready\` {stream_id, client_id, committed_seq, max_frame_bytes, formats,
default_chunk_seconds, pending_chunks} when the socket is set up; \`ack\` {committed_seq, seq_from, seq_to, chunk_id, quality_score,
holds_floor, captured_at, duration_seconds, …the upload route's answer} once a chunk is durable in the database;
\`pong\`.

Client → server: first a text \`hello\` {"type":"hello", "timestamp": capture time of the next frame's first sample
(epoch ms or ISO 8601, device clock), "seq"?: number of the next frame (default committed_seq + 1),
"chunk_seconds"?: ${MIN_CHUNK_SECONDS}–${MAX_CHUNK_SECONDS} (default ${DEFAULT_CHUNK_SECONDS}), "format"?: "pcm16" (default) or "opus",
"sample_rate"?: 16000 for pcm16; for opus the encoder's rate, 8000/12000/16000/24000/48000 (default 48000; any is
decoded at 16 kHz), "metadata"?: {…}}; then binary frames (≤ ${MAX_FRAME_BYTES} bytes, numbered seq, seq+1, …): PCM16LE
mono 16 kHz, or exactly one bare Opus packet each (RFC 6716, no Ogg/WebM framing, mono or stereo, ≤ 120 ms; the
frames' durations are the time that passes);
\`{"type":"flush"}\` stores what is buffered now (end of speech); \`{"type":"ping"}\`. A later hello marks a gap
in capture. Frames already committed are skipped, so after a reconnect a client resends the frames after
committed_seq. At most ${PENDING_CHUNKS} chunks of audio are held unacknowledged per socket; past that the server stops
reading (TCP backpressure).

Close codes: 4000 + the upload route's HTTP status for the same refusal (4401 bad or revoked token, 4403 user token,
4404 another network, 4409 stream of another device or fed by a newer socket, 4422 bad hello or stream id, 4503
service disabled);
1007 not JSON / odd-length PCM / not one valid Opus packet; 1008 audio before hello, unknown message; 1009 frame too large; 1011 could not store
(reconnect); 1012 server restarting (reconnect).

Each socket refused as it opens (4401, 4403, 4404, 4409, 4422) counts against the client address's read budget (refused HTTP requests from
it too); once it is spent the upgrade is answered 429 \`RATE_LIMITED\` with \`Retry-After\` and the error body,
before the token is read.

A plain HTTP request (no \`Upgrade: websocket\`) answers 426.`;

/** Documents the live audio socket in OpenAPI, and answers a plain HTTP request to its path with a clear 426. */
@ApiTags('streams')
@Controller(':network_id/streams')
export class LiveAudioController {
  @Get(':stream_id/ws')
  @Access('network')
  @ApiParam({
    name: 'stream_id',
    example: 'kitchen',
    description: '1-64 of [A-Za-z0-9._-]; not best/scores/phone',
  })
  @ApiQuery({
    name: 'token',
    required: false,
    description: 'Device token (mira_ct_…), unless sent as a bearer header',
  })
  @ApiOperation({
    summary: 'Live audio of a device stream over a WebSocket (open it with an Upgrade request)',
    description: DESCRIPTION,
  })
  @ApiResponse({ status: 101, description: 'Switching Protocols: the socket is open' })
  @ApiResponse({ status: 426, description: 'Not a WebSocket upgrade', type: ErrorResponseDto })
  upgradeRequired(@Res({ passthrough: true }) res: Response): never {
    res.setHeader('Upgrade', 'websocket');
    throw StreamErrors.upgradeRequired();
  }
}
