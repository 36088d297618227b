import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';

type PathServer = WebSocketServer & { path: string };
type UpgradeListener = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Nest's WebSocket adapter, with gateway paths that may hold `:param` segments (one segment each, e.g.
 * `/api/v1/:network_id/streams/:stream_id/ws`); the gateway reads the values from the request's URL. An upgrade
 * to a path no gateway serves is cut, as Nest's own adapter does.
 */
export class PathPatternWsAdapter extends WsAdapter {
  private readonly listeners = new Map<number, UpgradeListener>();
  private readonly patterns = new Map<string, RegExp>();

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
      server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
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
