import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ShutdownCoordinator } from '../lifecycle/shutdown.coordinator.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { AppLogger } from './app-logger.js';
import { runWithRequestContext, RequestContext } from './request-context.js';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestInstrumentation {
  /** Records mira_http_request_duration_seconds{method,route,status}. */
  metrics?: MetricsService;
  /** Counts in-flight requests for the graceful drain and closes keep-alive connections while draining. */
  shutdown?: ShutdownCoordinator;
}

/**
 * Express middleware: honours a sane X-Request-Id (else generates one), echoes it back, and writes one access
 * line per request with method, route pattern, status, duration_ms and network_id. With `instrumentation` it
 * also records the request duration histogram and tracks the request for graceful shutdown. No body content.
 */
export function requestLoggingMiddleware(logger: AppLogger, instrumentation: RequestInstrumentation = {}) {
  const histogram = instrumentation.metrics?.httpDuration();
  const shutdown = instrumentation.shutdown;
  return (req: Request, res: Response, next: NextFunction): void => {
    const arrivedAtMs = Date.now();
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    if (shutdown) {
      // While draining, every response closes its connection so that keep-alive clients reconnect elsewhere.
      if (shutdown.isDraining) res.setHeader('Connection', 'close');
      res.once('close', shutdown.requestStarted());
    }
    const context: RequestContext = { requestId, arrivedAtMs };
    const started = process.hrtime.bigint();
    logger.debug('http_request_started', { request_id: requestId, method: req.method });
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      histogram?.observe({ method: req.method, route, status: String(res.statusCode) }, durationMs / 1000);
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
