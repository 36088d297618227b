import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppLogger } from './app-logger.js';
import { runWithRequestContext, RequestContext } from './request-context.js';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Express middleware: honours a sane X-Request-Id (else generates one), echoes it back, and writes one access
 * line per request with method, route pattern, status, duration_ms and network_id.
 */
export function requestLoggingMiddleware(logger: AppLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const context: RequestContext = { requestId };
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      runWithRequestContext(context, () =>
        logger.info('http_request', {
          method: req.method,
          route,
          status: res.statusCode,
          duration_ms: Math.round(durationMs * 10) / 10,
          network_id: context.networkId ?? null,
          principal: context.principal ?? null,
        }),
      );
    });
    runWithRequestContext(context, next);
  };
}
