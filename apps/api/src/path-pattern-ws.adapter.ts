import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';
import { type AppError, answerOnSocket } from '@mira/core';

type PathServer = WebSocketServer & { path: string };
type UpgradeListener = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export type PathPatternWsAdapterOptions = NonNullable<ConstructorParameters<typeof WsAdapter>[1]> & {
  /**
   * Asked before an upgrade is accepted (before a gateway reads its token): an error refuses it with an HTTP
   * answer in the usual error body; null lets it through.
   */
  refuseUpgrade?: (request: http.IncomingMessage) => Promise<AppError | null>;
};

/**
 * Nest's WebSocket adapter, with gateway paths that may hold `:param` segments (one segment each, e.g.
 * `/api/v1/:network_id/streams/:stream_id/ws`); the gateway reads the values from the request's URL. An upgrade
 * to a path no gateway serves is cut, as Nest's own adapter does; one `refuseUpgrade` refuses (the rate limiter's
 * 429) is answered over HTTP and never reaches a gateway.
 */
export class PathPatternWsAdapter extends WsAdapter {
  private readonly listeners = new Map<number, UpgradeListener>();
  private readonly patterns = new Map<string, RegExp>();
  private readonly refuseUpgrade?: PathPatternWsAdapterOptions['refuseUpgrade'];

  constructor(app: INestApplicationContext, { refuseUpgrade, ...options }: PathPatternWsAdapterOptions = {}) {
    super(app, options);
    this.refuseUpgrade = refuseUpgrade;
  }

  protected override ensureHttpServerExists(
    port: number,
    httpServer: http.Server = http.createServer(),
  ): http.Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, httpServer);
    const listener: UpgradeListener = (request, socket, head) => {
      let pathname: string;
      try {
        pathname = new URL(request.url ?? '/', 'ws://upgrade').pathname;
      } catch {
        socket.destroy();
        return;
      }
      const servers = (this.wsServersRegistry.get(port) ?? []) as PathServer[];
      const server = servers.find((candidate) => this.pattern(candidate.path).test(pathname));
      if (!server) {
        socket.destroy();
        return;
      }
      void this.admit(request, socket).then((admitted) => {
        if (admitted)
          server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
      });
    };
    httpServer.on('upgrade', listener);
    this.listeners.set(port, listener);
    return httpServer;
  }

  override async dispose(): Promise<void> {
    for (const [port, listener] of this.listeners) {
      (this.httpServersRegistry.get(port) as http.Server | undefined)?.off('upgrade', listener);
    }
    this.listeners.clear();
    await super.dispose();
  }

  /** False when the upgrade was answered with a refusal (or its client left while it was asked). */
  private async admit(request: http.IncomingMessage, socket: Duplex): Promise<boolean> {
    if (!this.refuseUpgrade) return true;
    // Node leaves an upgrading socket without an error listener until ws adds its own: a reset while the question
    // is open would otherwise be thrown.
    const dropOnError = () => socket.destroy();
    socket.on('error', dropOnError);
    let refusal: AppError | null;
    try {
      refusal = await this.refuseUpgrade(request);
    } catch {
      refusal = null; // whoever refuses never causes an outage on its own
    } finally {
      socket.off('error', dropOnError);
    }
    if (socket.destroyed) return false;
    if (refusal === null) return true;
    socket.on('error', dropOnError);
    answerOnSocket(socket, refusal);
    return false;
  }

  private pattern(path: string): RegExp {
    let pattern = this.patterns.get(path);
    if (!pattern) {
      const source = path
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      pattern = new RegExp(`^${source}$`);
      this.patterns.set(path, pattern);
    }
    return pattern;
  }
}
