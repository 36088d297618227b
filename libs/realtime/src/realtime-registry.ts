import { Injectable } from '@nestjs/common';
import { WebSocket } from 'ws';
import { AppConfig, AppLogger, closeSocket, MetricNames, MetricsService } from '@mira/core';
import type { RealtimeConnection } from './realtime-connection.js';
import { RealtimeCloseCode } from './realtime-protocol.js';

export type Admission = 'admitted' | 'network_full' | 'instance_full';

/**
 * The sockets this instance holds, by network, and the one way to write to them.
 *
 * Memory per socket is bounded: a message is only handed to a socket whose unsent bytes (`bufferedAmount`) stay
 * within REALTIME_SEND_BUFFER_BYTES with it. A socket that would go over is too slow for the events it is sent:
 * it leaves the registry at once (no further message is queued to it) and is closed with 1013, so the app
 * reconnects and lists again instead of silently missing events. Caps (REALTIME_MAX_SOCKETS_PER_NETWORK,
 * REALTIME_MAX_SOCKETS) are per instance.
 */
@Injectable()
export class RealtimeRegistry {
  private readonly byNetwork = new Map<string, Set<RealtimeConnection>>();
  private total = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    metrics: MetricsService,
  ) {
    metrics.gauge(MetricNames.realtimeSockets, 'Realtime sockets open on this instance', [], (g) =>
      g.set(this.total),
    );
  }

  get size(): number {
    return this.total;
  }

  admit(connection: RealtimeConnection): Admission {
    const limits = this.config.values.realtime;
    if (this.total >= limits.maxSockets) return 'instance_full';
    const sockets = this.byNetwork.get(connection.networkId) ?? new Set<RealtimeConnection>();
    if (sockets.size >= limits.maxSocketsPerNetwork) return 'network_full';
    sockets.add(connection);
    this.byNetwork.set(connection.networkId, sockets);
    this.total += 1;
    return 'admitted';
  }

  /** Idempotent. */
  remove(connection: RealtimeConnection): void {
    const sockets = this.byNetwork.get(connection.networkId);
    if (!sockets?.delete(connection)) return;
    this.total -= 1;
    if (sockets.size === 0) this.byNetwork.delete(connection.networkId);
  }

  hasSockets(networkId: string): boolean {
    return this.byNetwork.has(networkId);
  }

  connections(): RealtimeConnection[] {
    return [...this.byNetwork.values()].flatMap((sockets) => [...sockets]);
  }

  /** Sends to every socket of the network; answers how many took it. */
  broadcast(networkId: string, payload: string): number {
    let sent = 0;
    for (const connection of [...(this.byNetwork.get(networkId) ?? [])]) {
      if (this.send(connection, payload)) sent += 1;
    }
    return sent;
  }

  /** Queues one message, or closes the socket as too slow (see the class comment). */
  send(connection: RealtimeConnection, payload: string): boolean {
    const ws = connection.ws;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount + Buffer.byteLength(payload) > this.config.values.realtime.sendBufferBytes) {
      this.logger.warn('realtime_slow_consumer', {
        network_id: connection.networkId,
        session_id: connection.sessionId,
        buffered_bytes: ws.bufferedAmount,
      });
      this.close(connection, RealtimeCloseCode.tryAgainLater, 'too slow: reconnect and list again');
      return false;
    }
    ws.send(payload);
    return true;
  }

  /** Leaves the registry now, closes with the code, and cuts the socket if the peer does not answer the close. */
  close(connection: RealtimeConnection, code: number, reason: string): void {
    this.remove(connection);
    closeSocket(connection.ws, code, reason);
  }

  /** Closes the sockets opened with this device's token (client row id): it was revoked. */
  closeDevice(networkId: string, clientRowId: string): void {
    for (const connection of [...(this.byNetwork.get(networkId) ?? [])]) {
      if (connection.deviceRowId === clientRowId) {
        this.close(connection, RealtimeCloseCode.unauthenticated, 'device revoked');
      }
    }
  }

  /** Closes every socket of the network (its account was deleted). */
  closeNetwork(networkId: string, code: number, reason: string): void {
    for (const connection of [...(this.byNetwork.get(networkId) ?? [])]) this.close(connection, code, reason);
  }

  /** Closes the sockets opened with a user token whose sign-in session is not among `live` (signed out, revoked). */
  closeEndedSessions(opened: readonly RealtimeConnection[], live: ReadonlySet<string>): number {
    let closed = 0;
    for (const connection of opened) {
      const session = connection.signInSession;
      if (session === null || live.has(session.sessionId)) continue;
      if (!this.byNetwork.get(connection.networkId)?.has(connection)) continue;
      this.close(connection, RealtimeCloseCode.unauthenticated, 'session ended');
      closed += 1;
    }
    return closed;
  }

  /** Closes every socket with the code; resolves when all are closed (cut at once when `signal` aborts). */
  async closeAll(code: number, reason: string, signal?: AbortSignal): Promise<void> {
    const all = this.connections();
    const closed = all.map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.ws.readyState === WebSocket.CLOSED) return resolve();
          connection.ws.once('close', () => resolve());
        }),
    );
    for (const connection of all) this.close(connection, code, reason);
    const cut = () => all.forEach((connection) => connection.ws.terminate());
    signal?.addEventListener('abort', cut, { once: true });
    await Promise.all(closed);
    signal?.removeEventListener('abort', cut);
  }
}
