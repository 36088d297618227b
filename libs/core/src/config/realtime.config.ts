import type { EnvReader } from './env-reader.js';

/** The apps' WebSocket (libs/realtime; docs/apps.md). */
export interface RealtimeConfig {
  /** Sockets one network (one account with its devices) may hold on one instance; more are closed with 1013. */
  maxSocketsPerNetwork: number;
  /** Sockets one instance holds at most. */
  maxSockets: number;
  /** Bytes queued to one socket before it is judged too slow and closed (1013); bounds memory per socket. */
  sendBufferBytes: number;
  /** Seconds between server heartbeats (dadei closes a socket that hears nothing for 60 s). */
  heartbeatSeconds: number;
  /** Lifetime of a session_token; a fresh session_ready is sent before it runs out. */
  sessionTtlSeconds: number;
  /**
   * How long a service_status change waits before it is pushed, so that it reaches the apps after the answer to
   * their enable/disable call (they start a 5 s "no response" timer only once that answer is in).
   */
  statusDelayMs: number;
}

export interface RealtimeConfigValues {
  realtime: RealtimeConfig;
}

export function parseRealtimeConfig(env: EnvReader): RealtimeConfigValues {
  const { int } = env;
  return {
    realtime: {
      maxSocketsPerNetwork: int('REALTIME_MAX_SOCKETS_PER_NETWORK', 20, 1, 10_000),
      maxSockets: int('REALTIME_MAX_SOCKETS', 10_000, 1, 1_000_000),
      sendBufferBytes: int('REALTIME_SEND_BUFFER_BYTES', 1_048_576, 4096, 64 * 1_048_576),
      heartbeatSeconds: int('REALTIME_HEARTBEAT_SECONDS', 25, 1, 55),
      sessionTtlSeconds: int('REALTIME_SESSION_TTL_SECONDS', 3600, 10, 86_400),
      statusDelayMs: int('REALTIME_STATUS_DELAY_MS', 300, 0, 4000),
    },
  };
}
