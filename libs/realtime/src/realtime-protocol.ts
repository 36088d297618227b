/**
 * The wire protocol of the apps' WebSocket (`/api/v{1,2}/realtime/ws`), as desktop-app 1.1.1 and dadei 4.0.3 read
 * it: every server message is a JSON object with `event`. The shipped apps read `session_ready` and
 * `service_status` fields at the top level and the other events' rows in `data`; the top-level fields are
 * repeated in `data` so that every message also has the `{event, data}` envelope.
 */

/**
 * Close codes. dadei stops reconnecting after 1000, 1008, 4001 and 4003 and reconnects (backoff up to 30 s) after
 * any other; desktop-app reconnects after every close.
 */
export const RealtimeCloseCode = {
  /** Missing, malformed, expired, forged or revoked token, or a disabled user: reconnecting cannot help. */
  unauthenticated: 4001,
  /** A network_id (query) the user does not own, or not the device's own network. */
  forbidden: 4003,
  /** A malformed client_id or network_id. */
  policyViolation: 1008,
  /** The instance is shutting down (SIGTERM): reconnect, another instance answers. */
  serviceRestart: 1012,
  /** Too many sockets for the account or the instance, or a socket too slow to keep up: reconnect later. */
  tryAgainLater: 1013,
  /** The socket could not be set up (database unreachable): reconnect later. */
  internalError: 1011,
} as const;

export type RealtimeCloseCode = (typeof RealtimeCloseCode)[keyof typeof RealtimeCloseCode];

/** Longest message a client may send (the apps send only `{"type":"ping"}`). */
export const MAX_INBOUND_BYTES = 4096;

export interface SessionReadyFields {
  session_id: string;
  session_token: string;
  client_id: string;
  expires_in_seconds: number;
}

export function sessionReadyMessage(fields: SessionReadyFields): string {
  return JSON.stringify({ event: 'session_ready', ...fields, data: fields });
}

export function serviceStatusMessage(enabled: boolean): string {
  return JSON.stringify({ event: 'service_status', enabled, data: { enabled } });
}

/** A domain event: the row in the shape the apps' REST calls return it. */
export function eventMessage(event: string, data: object): string {
  return JSON.stringify({ event, data });
}

export const PONG_MESSAGE = JSON.stringify({ event: 'pong' });
export const HEARTBEAT_MESSAGE = JSON.stringify({ event: 'heartbeat' });

/** Whether a client message is the apps' keep-alive (`{"type":"ping"}`; `{"event":"ping"}` is accepted too). */
export function isPing(raw: string): boolean {
  try {
    const message = JSON.parse(raw) as { type?: unknown; event?: unknown } | null;
    return message?.type === 'ping' || message?.event === 'ping';
  } catch {
    return false;
  }
}
