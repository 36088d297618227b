import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WebSocket } from 'ws';
import {
  AppConfig,
  AppLogger,
  closeSocket,
  NetworkAccessPort,
  RateLimiter,
  ShutdownCoordinator,
  TokenService,
} from '@mira/core';
import { NetworkService } from '@mira/network';
import {
  RealtimeAuthenticator,
  type RealtimeIdentity,
  type RealtimeRefusal,
} from './realtime-authenticator.js';
import type { RealtimeConnection } from './realtime-connection.js';
import {
  HEARTBEAT_MESSAGE,
  isPing,
  PONG_MESSAGE,
  RealtimeCloseCode,
  serviceStatusMessage,
  sessionReadyMessage,
} from './realtime-protocol.js';
import { RealtimeRegistry } from './realtime-registry.js';

/** A session_token is renewed this long before it runs out (at most a tenth of its lifetime). */
const RENEW_AHEAD_MS = 5 * 60_000;
/** Heartbeats in a row a socket may leave unanswered (no pong frame, no message) before it is cut as dead. */
const MAX_MISSED_BEATS = 2;
/** At most one pong per second per socket: a client that floods pings gets no more writes than that. */
const PONG_INTERVAL_MS = 1000;

/**
 * The life of one socket: authenticate on connect (no message is needed from the client; a refusal counts against
 * the client address, which the upgrade answers 429 once its budget is spent), admit it under the caps, tell it `session_ready` and the current `service_status`, answer its pings, keep it alive with
 * heartbeats, renew its session_token before it runs out, and close it with 1012 when the instance shuts down.
 * A socket opened with a user token lives no longer than the sign-in session of that token: each heartbeat checks
 * the sessions of this instance's sockets in one query and closes with 4001 those whose session ended (sign-out,
 * a refresh-token replay that revoked it, a disabled user), on every instance, within one heartbeat.
 */
@Injectable()
export class RealtimeSessions implements OnApplicationBootstrap, OnApplicationShutdown {
  private heartbeatTimer?: NodeJS.Timeout;
  private checkingSessions: Promise<void> | null = null;

  constructor(
    private readonly authenticator: RealtimeAuthenticator,
    private readonly registry: RealtimeRegistry,
    private readonly networks: NetworkService,
    private readonly access: NetworkAccessPort,
    private readonly tokens: TokenService,
    private readonly limiter: RateLimiter,
    private readonly shutdown: ShutdownCoordinator,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.heartbeatTimer = setInterval(() => this.beat(), this.config.values.realtime.heartbeatSeconds * 1000);
    this.heartbeatTimer.unref();
    this.shutdown.onDrain('realtime', (signal) =>
      this.registry.closeAll(RealtimeCloseCode.serviceRestart, 'server restarting', signal),
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeatTimer);
  }

  async open(ws: WebSocket, request: IncomingMessage): Promise<void> {
    if (this.shutdown.isDraining) {
      return closeSocket(ws, RealtimeCloseCode.serviceRestart, 'server restarting');
    }
    // A socket error always ends in 'close', which is handled; without a listener it would be thrown.
    ws.on('error', () => undefined);
    let identity: RealtimeIdentity | RealtimeRefusal;
    let enabled: boolean;
    try {
      identity = await this.authenticator.authenticate(
        new URL(request.url ?? '/', 'http://socket').searchParams,
      );
      enabled = identity.ok ? await this.networks.isServiceEnabled(identity.networkId) : false;
    } catch (err) {
      this.logger.error('realtime_open_failed', { error: err instanceof Error ? err.message : String(err) });
      return closeSocket(ws, RealtimeCloseCode.internalError, 'try again later');
    }
    if (!identity.ok) {
      this.logger.info('realtime_refused', { code: identity.code, reason: identity.reason });
      // counted before the close, so the client's next attempt already sees it
      await this.limiter.countRefusedUpgrade(request);
      return closeSocket(ws, identity.code, identity.reason);
    }
    if (ws.readyState !== WebSocket.OPEN) return; // the client left while it was authenticated

    const now = Date.now();
    const connection: RealtimeConnection = {
      ws,
      networkId: identity.networkId,
      clientId: identity.clientId,
      sessionId: randomUUID(),
      principal: identity.principal,
      deviceRowId: identity.deviceRowId,
      signInSession: identity.signInSession,
      sessionExpiresAt: 0,
      alive: true,
      missedBeats: 0,
      lastPongAt: 0,
    };
    const admission = this.registry.admit(connection);
    if (admission !== 'admitted') {
      this.logger.warn('realtime_capped', { network_id: identity.networkId, cap: admission });
      const reason =
        admission === 'network_full' ? 'too many realtime connections for this account' : 'server busy';
      return closeSocket(ws, RealtimeCloseCode.tryAgainLater, reason);
    }
    ws.on('close', (code) => {
      this.registry.remove(connection);
      this.logger.info('realtime_closed', {
        network_id: connection.networkId,
        session_id: connection.sessionId,
        code,
        duration_ms: Date.now() - now,
      });
    });
    ws.on('pong', () => this.heard(connection));
    ws.on('message', (data, isBinary) => {
      this.heard(connection);
      if (isBinary || !isPing(data.toString())) return;
      const at = Date.now();
      if (at - connection.lastPongAt < PONG_INTERVAL_MS) return;
      connection.lastPongAt = at;
      this.registry.send(connection, PONG_MESSAGE);
    });
    this.sendSession(connection);
    this.registry.send(connection, serviceStatusMessage(enabled));
    this.logger.info('realtime_connected', {
      network_id: connection.networkId,
      session_id: connection.sessionId,
      principal: connection.principal,
      sockets: this.registry.size,
    });
  }

  /** One heartbeat for every socket: cut the dead, ping and message the others, renew expiring sessions. */
  beat(): void {
    const now = Date.now();
    const renewAhead = Math.min(RENEW_AHEAD_MS, (this.config.values.realtime.sessionTtlSeconds * 1000) / 10);
    for (const connection of this.registry.connections()) {
      if (connection.alive) {
        connection.missedBeats = 0;
      } else if (++connection.missedBeats >= MAX_MISSED_BEATS) {
        this.registry.remove(connection);
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
      if (!this.registry.send(connection, HEARTBEAT_MESSAGE)) continue;
      if (connection.sessionExpiresAt - now <= renewAhead) this.sendSession(connection);
    }
    this.checkingSessions ??= this.closeEndedSessions().finally(() => (this.checkingSessions = null));
  }

  /** Closes the user-token sockets whose sign-in session has ended (one query for all of this instance's). */
  async closeEndedSessions(): Promise<void> {
    const opened = this.registry.connections().filter((connection) => connection.signInSession !== null);
    if (opened.length === 0) return;
    const sessions = new Map(opened.map((c) => [c.signInSession!.sessionId, c.signInSession!]));
    let live: Set<string>;
    try {
      live = await this.access.liveSessions([...sessions.values()]);
    } catch (err) {
      // the database is away: keep the sockets, the next heartbeat asks again
      this.logger.warn('realtime_session_check_failed', {
        error: err instanceof Error ? err.message.slice(0, 200) : String(err),
      });
      return;
    }
    const closed = this.registry.closeEndedSessions(opened, live);
    if (closed > 0) this.logger.info('realtime_sessions_ended', { sockets: closed });
  }

  private heard(connection: RealtimeConnection): void {
    connection.alive = true;
  }

  private sendSession(connection: RealtimeConnection): void {
    const ttl = this.config.values.realtime.sessionTtlSeconds;
    connection.sessionExpiresAt = Date.now() + ttl * 1000;
    this.registry.send(
      connection,
      sessionReadyMessage({
        session_id: connection.sessionId,
        session_token: this.tokens.signSessionToken(
          { networkId: connection.networkId, clientId: connection.clientId, sessionId: connection.sessionId },
          ttl,
        ),
        client_id: connection.clientId,
        expires_in_seconds: ttl,
      }),
    );
  }
}
