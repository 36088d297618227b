import { Injectable, LoggerService } from '@nestjs/common';
import type { LogLevel } from '../config/server.config.js';
import { isoUtc } from '../http/time.js';
import { currentRequestContext } from './request-context.js';

export type LogFields = Record<string, string | number | boolean | null | undefined | string[] | number[]>;

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
/** How long a line may wait for others before they leave together. */
const FLUSH_INTERVAL_MS = 10;

/**
 * Lines to stdout, gathered for up to FLUSH_INTERVAL_MS and written in one go: a pipe write is a system call, and
 * under load every request's access line would otherwise cost one (or one per turn of the event loop). What is
 * pending is written synchronously when the process exits (stdout is synchronous for pipes and files), so a crash
 * or process.exit loses nothing that reached it.
 */
class BatchedStdout {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    process.once('exit', () => this.flush());
  }

  line(text: string): void {
    this.pending.push(text);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    process.stdout.write(chunk);
  }
}

let shared: BatchedStdout | undefined;

/**
 * Structured JSON lines on stdout, one per event: `{level, message, request_id?, network_id?, ...fields,
 * timestamp}`. Each line carries the request id of the request it belongs to. Callers pass ids, counts and
 * durations; never request bodies, audio or transcript text. The access line is written on every request, so a level
 * below the threshold costs one comparison and nothing is built for it, no child logger is made per request (the
 * request id comes from the request context instead), and a line is one JSON.stringify of the flat fields in the
 * order written (no logging library's stream pipeline in between).
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
    const entry: Record<string, unknown> = {
      level,
      message: event,
      ...(ctx ? { request_id: ctx.requestId, network_id: ctx.networkId } : {}),
      ...fields,
    };
    entry.timestamp = isoUtc(new Date());
    (shared ??= new BatchedStdout()).line(`${JSON.stringify(entry)}\n`);
  }
}
