import { Injectable, LoggerService } from '@nestjs/common';
import winston from 'winston';
import type { LogLevel } from '../config/server.config.js';
import { currentRequestContext } from './request-context.js';

export type LogFields = Record<string, string | number | boolean | null | undefined | string[] | number[]>;

/**
 * Structured JSON lines through winston. Each line carries the request id of the request it belongs to.
 * Callers pass ids, counts and durations; never request bodies, audio or transcript text.
 */
@Injectable()
export class AppLogger implements LoggerService {
  private readonly winston: winston.Logger;

  constructor(level: LogLevel = 'info', silent = false) {
    this.winston = winston.createLogger({
      level,
      silent,
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Console()],
    });
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

  private write(level: string, event: string, fields: LogFields): void {
    const ctx = currentRequestContext();
    this.winston.log(level, event, {
      ...(ctx ? { request_id: ctx.requestId, network_id: ctx.networkId } : {}),
      ...fields,
    });
  }
}
