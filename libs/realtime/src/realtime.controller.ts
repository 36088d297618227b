import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, ErrorResponseDto } from '@mira/core';
import { RealtimeErrors } from './realtime.errors.js';

const DESCRIPTION = `The apps' WebSocket (\`ws(s)://host/api/v1/realtime/ws?token=…&client_id=…\`, BETA builds
\`/api/v2/…\`). Authenticated when it opens, from the query; the client sends nothing first.

Server → client, JSON objects with \`event\`:
- \`session_ready\` {session_id, session_token, client_id, expires_in_seconds} (top level and in \`data\`): first, and
  again before the session token runs out. \`session_token\` ties uploads to this device and session; it is no
  credential.
- \`service_status\` {enabled} (top level and in \`data\`): the current state after \`session_ready\`, then every
  enable/disable of the network.
- \`interaction\`, \`conversation\`, \`action\`, \`person\`: \`data\` is the row as the account routes return it
  (an utterance is announced once the pipeline is done with it, then when its text, person or conversation
  changes). Only to sockets of the row's network.
- \`pong\` (answer to \`{"type":"ping"}\`), \`heartbeat\` (every 25 s).

Close codes: 4001 bad, expired or revoked token, or (open sockets) the user token's sign-in session ended; 4003 a network_id that is not yours; 1008 malformed client_id or
network_id; 1012 the server restarts (reconnect); 1013 too many sockets for the account, or too slow to read (reconnect
later); 1011 could not be set up (reconnect). Full reference: docs/apps.md.

Each socket refused with 4001, 4003 or 1008 counts against the client address's read budget (refused HTTP
requests from it too); once it is spent the upgrade is answered 429 \`RATE_LIMITED\` with \`Retry-After\` and the
error body, before the token is read.

A plain HTTP request (no \`Upgrade: websocket\`) answers 426.`;

/** Documents the socket in OpenAPI, and answers a plain HTTP request to its path with a clear 426. */
@ApiTags('realtime')
@Controller('realtime')
export class RealtimeController {
  @Get('ws')
  @Access('public')
  @ApiOperation({
    summary: "The apps' realtime WebSocket (open it with an Upgrade request)",
    description: DESCRIPTION,
  })
  @ApiQuery({
    name: 'token',
    required: true,
    description: 'User access token (JWT) or device token (mira_ct_…)',
  })
  @ApiQuery({
    name: 'client_id',
    required: false,
    description: 'Device name; with a user token, a name first seen here becomes a device of the account',
  })
  @ApiQuery({
    name: 'network_id',
    required: false,
    description: "For a user owning several networks: which one (the socket's X-Network-Id)",
  })
  @ApiResponse({ status: 101, description: 'Switching Protocols: the socket is open' })
  @ApiResponse({ status: 426, description: 'Not a WebSocket upgrade', type: ErrorResponseDto })
  upgradeRequired(@Res({ passthrough: true }) res: Response): never {
    res.setHeader('Upgrade', 'websocket');
    throw RealtimeErrors.upgradeRequired();
  }
}
