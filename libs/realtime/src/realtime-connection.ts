import type { WebSocket } from 'ws';
import type { SignInSession } from '@mira/core';

/** One open, authenticated socket of the apps. */
export interface RealtimeConnection {
  readonly ws: WebSocket;
  readonly networkId: string;
  /** The device this socket speaks for (session_ready.client_id). */
  readonly clientId: string;
  readonly sessionId: string;
  /** `user:<id>` or `client:<row id>`, for logs. */
  readonly principal: string;
  /** The device row whose token opened the socket; null for a user token. */
  readonly deviceRowId: string | null;
  /** The sign-in session of the user token that opened the socket (null for a device token). */
  readonly signInSession: SignInSession | null;
  /** When the current session_token runs out (epoch ms); a fresh session_ready is sent before. */
  sessionExpiresAt: number;
  /** Heard from since the last heartbeat (a message or a pong frame). */
  alive: boolean;
  /** Heartbeats in a row with nothing heard back. */
  missedBeats: number;
  lastPongAt: number;
}
