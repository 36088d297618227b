import { Writable } from 'node:stream';
import { Injectable, LoggerService } from '@nestjs/common';
import winston from 'winston';
import type { LogLevel } from '../config/server.config.js';
import { currentRequestContext } from './request-context.js';

export type LogFields = Record<string, string | number | boolean | null | undefined | string[] | number[]>;

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const MESSAGE = Symbol.for('message');

/**
 * The transport's stream. Lines written in one turn of the event loop leave in one write to stdout (a pipe write is
 * a system call, and under load each request's access line would otherwise cost one on its own). What is pending is
 * written synchronously when the process exits, so a crash or process.exit loses nothing that reached it.
 */
class BatchedStdout extends Writable {
  private pending: string[] = [];
  private scheduled = false;

  constructor() {
    super({ decodeStrings: false });
    process.once('exit', () => this.flush());
  }

  override _write(chunk: string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.pending.push(chunk);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    done();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    process.stdout.write(chunk);
  }
}

/**
 * winston's `json` format serialises through safe-stable-stringify with sorted keys; the fields here are flat
 * primitives built by this class, so plain JSON.stringify in the order written is enough and costs less.
 */
const jsonLine = winston.format((info) => {
  info.timestamp = new Date().toISOString();
  (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(info);
  return info;
});

let shared: winston.Logger | undefined;

/** One winston logger per process (every AppLogger writes through it); levels are checked before it is called. */
function sharedWinston(): winston.Logger {
  shared ??= winston.createLogger({
    level: 'debug',
    levels: SEVERITY,
    format: jsonLine(),
    transports: [new winston.transports.Stream({ stream: new BatchedStdout(), eol: '\n' })],
  });
  return shared;
}

/**
 * Structured JSON lines on stdout through winston, one per event: `{level, message, request_id?, network_id?,
 * ...fields, timestamp}`. Each line carries the request id of the request it belongs to. Callers pass ids, counts
 * and durations; never request bodies, audio or transcript text. The access line is written on every request, so a
 * level below the threshold costs one comparison and nothing is built for it, and no child logger is made per
 * request (the request id comes from the request context instead).
 */
@Injectable()
export class AppLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly silent = false,
  ) {
    this.threshold = SEVERITY[level];
  }

  /** Whether a line of this level would be written (to skip building costly fields). */
  isEnabled(level: LogLevel): boolean {
    return !this.silent && SEVERITY[level] <= this.threshold;
  }

  info(event: string, fields: LogFields = {}): void {
    this.write('info', event, fields);
  }

  warn(event: string, fields: LogFields = {}): void {
    this.write('warn', event, fields);
  }

  error(event: string, fields: LogFields | string = {}): void {
    this.write('error', event, typeof fields === 'string' ? { detail: fields } : fields);
  }

  debug(event: string, fields: LogFields = {}): void {
    this.write('debug', event, fields);
  }

  // LoggerService (Nest's own messages)
  log(message: unknown, context?: unknown): void {
    this.write('info', String(message), typeof context === 'string' ? { context } : {});
  }

  verbose(message: unknown, context?: unknown): void {
    this.write('debug', String(message), typeof context === 'string' ? { context } : {});
  }

  private write(level: LogLevel, event: string, fields: LogFields): void {
    if (this.silent || SEVERITY[level] > this.threshold) return;
    const ctx = currentRequestContext();
    sharedWinston().log({
      level,
      message: event,
      ...(ctx ? { request_id: ctx.requestId, network_id: ctx.networkId } : {}),
      ...fields,
    } as winston.LogEntry);
  }
}
