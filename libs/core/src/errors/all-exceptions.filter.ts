import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AppLogger } from '../logging/app-logger.js';
import { currentRequestId } from '../logging/request-context.js';
import { AppError, CommonErrors } from './app-error.js';
import { ErrorResponseDto } from './error-response.dto.js';

/** Postgres SQLSTATEs that mean "the database is not reachable right now", not "the request is wrong". */
const DATABASE_UNAVAILABLE_STATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** Maps every thrown value to the one error body, once, for the whole application. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const error = toAppError(exception);
    if (error.status >= 500 && error.code === 'INTERNAL_ERROR') {
      this.logger.error('unhandled_error', {
        method: request.method,
        path: request.route?.path ?? 'unmatched',
        error_name: exception instanceof Error ? exception.name : typeof exception,
        error_message: describeThrown(exception),
        stack: exception instanceof Error ? exception.stack?.split('\n').slice(0, 8).join('\n') : undefined,
      });
    }
    if (response.headersSent) return;
    const body: ErrorResponseDto = {
      detail: error.detail,
      error_code: error.code,
      timestamp: new Date().toISOString(),
      request_id: currentRequestId() ?? (response.getHeader('x-request-id') as string | undefined) ?? '',
    };
    if (error.extra.fields && error.extra.fields.length > 0) body.fields = error.extra.fields;
    if (error.extra.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(error.extra.retryAfterSeconds));
    }
    response.status(error.status).json(body);
  }
}

/**
 * What was thrown, for the log: an Error's message, or the value itself for libraries that throw strings or plain
 * objects (libsamplerate throws "invalid inputSampleRate"), which would otherwise log as nothing.
 */
export function describeThrown(exception: unknown): string {
  if (exception instanceof Error) return exception.message.slice(0, 500);
  if (typeof exception === 'string') return exception.slice(0, 500);
  try {
    return (JSON.stringify(exception) ?? String(exception)).slice(0, 500);
  } catch {
    return String(exception).slice(0, 500);
  }
}

export function toAppError(exception: unknown): AppError {
  if (exception instanceof AppError) return exception;
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isBodyParserError(exception)) return fromBodyParserError(exception);
  // Validators that URI-encode input (isEmail, isURL) throw on lone UTF-16 surrogates: bad input, not a crash.
  if (exception instanceof URIError) {
    return CommonErrors.malformed('The request contains malformed text (invalid Unicode)');
  }
  if (isDatabaseUnavailable(exception)) {
    return CommonErrors.serviceUnavailable('The database is temporarily unavailable; retry shortly', 5);
  }
  if (exception instanceof QueryFailedError) {
    const code = (exception.driverError as { code?: string } | undefined)?.code;
    // 22P02 invalid text representation, 22007/22008 bad datetime, 22003 out of range: input the validators let through.
    // 23502 not-null violation: a null the validators let through for a required column.
    if (code === '23502') return CommonErrors.validation('A required value is missing (null)');
    if (code && ['22P02', '22P05', '22021', '22007', '22008', '22003', '22001'].includes(code)) {
      return CommonErrors.malformed(
        'A value in the request could not be stored (invalid format or out of range)',
      );
    }
  }
  return CommonErrors.internal();
}

function fromHttpException(exception: HttpException): AppError {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : typeof (response as { message?: unknown }).message === 'string'
        ? (response as { message: string }).message
        : exception.message;
  switch (status) {
    case HttpStatus.NOT_FOUND:
      return CommonErrors.routeNotFound(message);
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return CommonErrors.payloadTooLarge(message);
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return CommonErrors.unsupportedMediaType(message);
    case HttpStatus.UNAUTHORIZED:
      return CommonErrors.unauthenticated(message);
    case HttpStatus.FORBIDDEN:
      return CommonErrors.forbidden(message);
    case HttpStatus.UNPROCESSABLE_ENTITY:
      return CommonErrors.validation(message);
    default:
      if (status >= 500) return CommonErrors.internal();
      return new AppError(status === 400 ? 'MALFORMED_REQUEST' : `HTTP_${status}`, message, status);
  }
}

interface BodyParserError {
  type: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message: string;
}

function isBodyParserError(value: unknown): value is BodyParserError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof ((value as { status?: unknown }).status ?? (value as { statusCode?: unknown }).statusCode) ===
      'number'
  );
}

function fromBodyParserError(error: BodyParserError): AppError {
  const status = error.status ?? error.statusCode ?? 400;
  switch (error.type) {
    case 'entity.parse.failed':
      return CommonErrors.malformed('Request body is not valid JSON');
    case 'entity.too.large':
      return CommonErrors.payloadTooLarge('Request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return CommonErrors.unsupportedMediaType(error.message);
    default:
      return status >= 500 ? CommonErrors.internal() : CommonErrors.malformed(error.message);
  }
}

export function isDatabaseUnavailable(exception: unknown): boolean {
  const candidates = [exception, (exception as { driverError?: unknown })?.driverError];
  for (const candidate of candidates) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const code = (candidate as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (DATABASE_UNAVAILABLE_STATES.has(code) || CONNECTION_ERROR_CODES.has(code))
    ) {
      return true;
    }
    const message = (candidate as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        message,
      )
    ) {
      return true;
    }
  }
  return false;
}
