import { WebSocket } from 'ws';
import { waitFor } from './wait.js';

export type RealtimeMessage = Record<string, unknown> & { event?: string; data?: Record<string, unknown> };

/** A real WebSocket client on the apps' socket, recording every message and how it closed. */
export interface TestSocket {
  ws: WebSocket;
  messages: RealtimeMessage[];
  /** Resolves once the socket has closed, with the close code and reason the client saw. */
  closed: Promise<{ code: number; reason: string }>;
  /** The first message (received so far or later) that matches. */
  waitFor(match: (m: RealtimeMessage) => boolean, what: string, timeoutMs?: number): Promise<RealtimeMessage>;
  events(event: string): RealtimeMessage[];
  close(): Promise<void>;
}

export function realtimeUrl(baseUrl: string, query: Record<string, string>, version: 1 | 2 = 1): string {
  const url = new URL(`/api/v${version}/realtime/ws`, baseUrl.replace(/^http/, 'ws'));
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

/** Connects and resolves on open (the server may still close it right after: see `closed`). */
export async function openSocket(url: string, options: { autoPong?: boolean } = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, { autoPong: options.autoPong ?? true });
  const socket = track(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  return socket;
}

/** Records the messages and the close of a client socket from its creation on. */
function track(ws: WebSocket): TestSocket {
  const messages: RealtimeMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as RealtimeMessage));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    messages,
    closed,
    waitFor: (match, what, timeoutMs = 20_000) =>
      waitFor(() => messages.find(match), { what: `socket message: ${what}`, timeoutMs }),
    events: (event) => messages.filter((m) => m.event === event),
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
}

/** Opens a socket and waits until the server has set the session up (`session_ready`, or the event named). */
export async function openSession(url: string, readyEvent = 'session_ready'): Promise<TestSocket> {
  const socket = await openSocket(url);
  await Promise.race([
    socket.waitFor((m) => m.event === readyEvent, readyEvent),
    socket.closed.then((c) => Promise.reject(new Error(`socket closed ${c.code} ${c.reason}`))),
  ]);
  return socket;
}

/** An HTTP answer the server gave instead of accepting the upgrade. */
export interface RefusedUpgrade {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * Attempts an upgrade: the socket once the server accepted it (it may close it right after: see `closed`), or the
 * HTTP answer it gave instead (status, headers, the JSON body).
 */
export function attemptUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ opened: TestSocket } | { refused: RefusedUpgrade }> {
  const ws = new WebSocket(url, { headers });
  const socket = track(ws);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { unparsed: text };
        }
        ws.on('error', () => undefined);
        ws.terminate();
        resolve({ refused: { status: response.statusCode ?? 0, headers: response.headers, body } });
      });
      response.on('error', reject);
    });
    ws.once('open', () => {
      ws.on('error', () => undefined);
      resolve({ opened: socket });
    });
    ws.once('error', reject);
  });
}
