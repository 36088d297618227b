import { connect } from 'node:net';
import fc from 'fast-check';

/**
 * HTTP written by hand on a TCP socket, for what no client library sends: oversized or malformed heads, requests
 * that never finish, bodies that trickle in. `send` writes the parts (waiting `pauseMs` before each) and reads the
 * answer until the server closes the connection or `boundMs` passes.
 */
export interface RawPart {
  data: string | Buffer;
  pauseMs?: number;
}

export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (it should after refusing at this level). */
  closed: boolean;
}

export async function sendRaw(baseUrl: string, parts: RawPart[], boundMs = 120_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, boundMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const part of parts) {
    if (part.pauseMs) await new Promise((resolve) => setTimeout(resolve, part.pauseMs));
    if (socket.destroyed || closed) break;
    socket.write(part.data);
  }
  await done;
  return parseAnswer(Buffer.concat(chunks).toString('latin1'), closed);
}

function parseAnswer(text: string, closed: boolean): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || end < 0) return { status: 0, headers: {}, body: '', closed };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4), closed };
}

/** A request head with the given extra header lines (CRLF-terminated, blank line included). */
export function head(method: string, path: string, lines: string[] = []): string {
  return [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines, '', ''].join('\r\n');
}

export interface HostileRequest {
  kind: string;
  parts: RawPart[];
  /** The statuses Node's parser and timers answer this kind of request with. */
  statuses: number[];
}

/**
 * fast-check generator of requests refused before the application sees them: heads over the 16 KiB limit (one
 * huge header or very many), request lines and header lines no parser accepts, broken chunked encoding, and
 * requests whose head or body never completes (answered when HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS run
 * out: keep those small where this is used). Every one must get the usual error body with a request id, never an
 * empty answer.
 */
export function hostileRequestArbitrary(paths: string[]): fc.Arbitrary<HostileRequest> {
  const path = fc.constantFrom(...paths);
  return fc.oneof(
    fc.tuple(path, fc.integer({ min: 17_000, max: 80_000 })).map(([p, size]) => ({
      kind: 'one huge header',
      parts: [{ data: head('GET', p, [`X-Filler: ${'a'.repeat(size)}`]) }],
      statuses: [431],
    })),
    fc.tuple(path, fc.integer({ min: 2000, max: 6000 })).map(([p, count]) => ({
      kind: 'many headers',
      parts: [
        {
          data: head(
            'GET',
            p,
            Array.from({ length: count }, (_, i) => `X-H${i}: value-${i}`),
          ),
        },
      ],
      statuses: [431],
    })),
    fc
      .constantFrom(
        'GET / HTTP/9.9\r\n\r\n',
        'GET\r\n\r\n',
        '\u0000\u0001\u0002 / HTTP/1.1\r\n\r\n',
        'GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n',
        'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n',
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      )
      .map((data) => ({ kind: 'malformed', parts: [{ data }], statuses: [400] })),
    path.map((p) => ({
      kind: 'head never completes',
      parts: [{ data: `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ` }],
      statuses: [408],
    })),
    fc.integer({ min: 200, max: 600 }).map((length) => ({
      kind: 'body trickles in',
      parts: [
        {
          data: head('POST', '/api/v1/auth/login', [
            'Content-Type: application/json',
            `Content-Length: ${length}`,
          ]),
        },
        ...Array.from({ length: 6 }, () => ({ data: ' ', pauseMs: 400 })),
      ],
      statuses: [408],
    })),
  );
}
