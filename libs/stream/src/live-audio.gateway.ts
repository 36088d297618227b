import type { IncomingMessage } from 'node:http';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from './live-audio-protocol.js';
import { LiveAudioSockets } from './live-audio-sockets.js';

/**
 * Where devices open their live audio socket. The paths hold `:param` segments: the app's WebSocket adapter
 * (apps/api/src/path-pattern-ws.adapter.ts) matches them.
 */
export const LIVE_AUDIO_PATHS = [
  '/api/v1/:network_id/streams/:stream_id/ws',
  '/api/v2/:network_id/streams/:stream_id/ws',
] as const;

const SOCKET_OPTIONS = { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false };

abstract class LiveAudioGateway implements OnGatewayConnection<WebSocket> {
  constructor(private readonly sockets: LiveAudioSockets) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    return this.sockets.open(socket, request);
  }
}

/** The live audio socket under /api/v1. */
@WebSocketGateway({ path: LIVE_AUDIO_PATHS[0], ...SOCKET_OPTIONS })
export class LiveAudioV1Gateway extends LiveAudioGateway {
  constructor(sockets: LiveAudioSockets) {
    super(sockets);
  }
}

/** The same socket under /api/v2. */
@WebSocketGateway({ path: LIVE_AUDIO_PATHS[1], ...SOCKET_OPTIONS })
export class LiveAudioV2Gateway extends LiveAudioGateway {
  constructor(sockets: LiveAudioSockets) {
    super(sockets);
  }
}
