import { Injectable, LoggerService } from '@nestjs/common';
import type { LogLevel } from '../config/server.config.js';
import { currentRequestContext } from './request-context.js';

export type LogFields = Record<string, string | number | boolean | null | undefined | string[] | number[]>;

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * Lines written in one turn of the event loop leave in one write (a pipe write is a system call, and under load
 * a request's access line would otherwise cost one on its own). What is pending is written synchronously when the
 * process exits, so a crash or process.exit loses nothing that was logged.
 */
class StdoutLines {
  private pending: string[] = [];
  private scheduled = false;

  constructor() {
    process.once('exit', () => this.flush());
  }

  push(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    process.stdout.write(chunk);
  }
}

let stdoutLines: StdoutLines | undefined;

/**
 * Structured JSON lines on stdout, one per event: `{level, message, request_id?, network_id?, ...fields,
 * timestamp}`. Each line carries the request id of the request it belongs to. Callers pass ids, counts and
 * durations; never request bodies, audio or transcript text. Written directly (one JSON.stringify per line, lines
 * of one event-loop turn in one write; a level below the threshold costs one comparison) because the access line
 * is written on every request.
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
    const line = JSON.stringify({
      level,
      message: event,
      ...(ctx ? { request_id: ctx.requestId, network_id: ctx.networkId } : {}),
      ...fields,
      timestamp: new Date().toISOString(),
    });
    (stdoutLines ??= new StdoutLines()).push(`${line}\n`);
  }
}
