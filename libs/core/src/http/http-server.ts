import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StreamableFile, type NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import { AppError, CommonErrors } from '../errors/app-error.js';
import type { AppLogger } from '../logging/app-logger.js';

export interface HttpTimeouts {
  /** A client must have sent all request headers within this long. */
  headersTimeoutMs: number;
  /** ...and the whole request, body included, within this long. */
  requestTimeoutMs: number;
}

/** How often Node enforces those bounds; its default (30 s) would stretch each by up to 30 s. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * The Express adapter with an HTTP server that bounds how long a client may take to send its headers and its
 * request (Node's defaults: 60 s and 300 s, checked every 30 s), and answers what never reaches the application
 * (timeouts, oversized headers, malformed requests) with the usual error body (answerClientErrors).
 */
export class BoundedExpressAdapter extends ExpressAdapter {
  constructor(
    private readonly timeouts: HttpTimeouts,
    private readonly appLogger: AppLogger,
  ) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options?.httpsOptions) throw new Error('TLS ends at the load balancer: the app serves plain HTTP');
    const server = createServer(
      {
        headersTimeout: this.timeouts.headersTimeoutMs,
        requestTimeout: this.timeouts.requestTimeoutMs,
        connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      },
      this.getInstance(),
    );
    answerClientErrors(server, this.appLogger);
    this.setHttpServer(server);
  }

  /**
   * A route's JSON answer (nearly every answer) is written in one step. Express's res.json → res.send reads its
   * settings, derives the Content-Type's charset, copies the text into a Buffer and checks the request's freshness on
   * every answer; none of that changes a JSON body whose response has no Content-Type, ETag (off in app.factory) or
   * Last-Modified of its own: such a body gets exactly the headers and bytes res.json would give it. Everything else
   * (no body, streams, errors, other content types, HEAD, 204/205/304) goes through Nest's own reply.
   */
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (
      body === null ||
      typeof body !== 'object' ||
      body instanceof StreamableFile ||
      body instanceof Error ||
      ArrayBuffer.isView(body) ||
      response.req.method === 'HEAD' ||
      response.hasHeader('Content-Type') ||
      response.hasHeader('Transfer-Encoding') ||
      response.hasHeader('ETag') ||
      response.hasHeader('Last-Modified')
    ) {
      return super.reply(response, body, statusCode);
    }
    const status = statusCode ?? response.statusCode;
    const text = JSON.stringify(body) as string | undefined;
    if (text === undefined || status === 204 || status === 205 || status === 304) {
      return super.reply(response, body, statusCode);
    }
    response.status(status);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(text));
    return response.end(text);
  }
}

/** What Node's parser or timers refused, as the error the application would have answered. */
export function clientErrorToAppError(code: string | undefined): AppError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('REQUEST_TIMEOUT', 'The request was not received in time', 408);
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('HEADERS_TOO_LARGE', 'The request headers are too large', 431);
    default:
      return CommonErrors.malformed('The request is not valid HTTP');
  }
}

/**
 * Answers requests Node refuses before the application sees them with `{detail, error_code, timestamp,
 * request_id}` and an X-Request-Id (a new id: no request ever existed), instead of Node's empty 400/408/431, then
 * closes the connection. Nothing is written once a response to the socket's current request has begun.
 */
export function answerClientErrors(server: Server, logger: AppLogger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const error = clientErrorToAppError(err.code);
    const requestId = answerOnSocket(socket, error);
    logger.warn('http_client_error', {
      code: err.code ?? 'unknown',
      status: error.status,
      request_id: requestId,
    });
  });
}

/**
 * Writes the error as a whole HTTP response straight to a connection no Express response owns (a refused request
 * Node parsed, a WebSocket upgrade refused before it is accepted), with the usual body, a new request id and
 * Retry-After when the error has one, then closes the connection. Returns the request id.
 */
export function answerOnSocket(socket: Duplex, error: AppError): string {
  const requestId = randomUUID();
  const body = JSON.stringify({
    detail: error.detail,
    error_code: error.code,
    timestamp: new Date().toISOString(),
    request_id: requestId,
  });
  const retryAfter =
    error.extra.retryAfterSeconds === undefined ? '' : `Retry-After: ${error.extra.retryAfterSeconds}\r\n`;
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      retryAfter +
      'X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n' +
      body,
  );
  return requestId;
}
