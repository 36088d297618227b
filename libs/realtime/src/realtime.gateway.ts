import type { IncomingMessage } from 'node:http';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { RealtimeSessions } from './realtime-sessions.js';
import { MAX_INBOUND_BYTES } from './realtime-protocol.js';

/** Where the apps open their socket (`ws(s)://host/api/v1/realtime/ws?token=…&client_id=…`). */
export const REALTIME_PATHS = ['/api/v1/realtime/ws', '/api/v2/realtime/ws'] as const;

const SOCKET_OPTIONS = { maxPayload: MAX_INBOUND_BYTES, perMessageDeflate: false };

abstract class RealtimeGateway implements OnGatewayConnection<WebSocket> {
  constructor(private readonly sessions: RealtimeSessions) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    return this.sessions.open(socket, request);
  }
}

/** The socket under /api/v1 (the apps' stable builds). */
@WebSocketGateway({ path: REALTIME_PATHS[0], ...SOCKET_OPTIONS })
export class RealtimeV1Gateway extends RealtimeGateway {
  constructor(sessions: RealtimeSessions) {
    super(sessions);
  }
}

/** The same socket under /api/v2 (the apps' BETA builds). */
@WebSocketGateway({ path: REALTIME_PATHS[1], ...SOCKET_OPTIONS })
export class RealtimeV2Gateway extends RealtimeGateway {
  constructor(sessions: RealtimeSessions) {
    super(sessions);
  }
}
