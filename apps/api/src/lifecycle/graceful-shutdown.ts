import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppLogger, ShutdownCoordinator } from '@mira/core';

export interface ShutdownOptions {
  timeoutMs: number;
  logger: AppLogger;
  /** Called with the exit code once everything is closed (process.exit in production). */
  exit: (code: number) => void;
}

/**
 * SIGTERM/SIGINT → drain → close → exit. ECS sends SIGTERM and SIGKILLs after the container's stopTimeout
 * (30 s by default); SHUTDOWN_TIMEOUT_MS (default 25 s) keeps the whole drain inside that.
 *
 * 1. draining: GET /health answers 503 "draining", every response carries `Connection: close`;
 * 2. the listener closes (no new connections); idle keep-alive connections are closed as they become idle;
 * 3. drain hooks (job workers, streams) run; in-flight requests and tracked work finish, bounded by the timeout;
 * 4. the application closes (TypeORM data source: PostgreSQL pool or PGlite, which flushes its data directory);
 * 5. exit 0 — or 1 when the bound was reached with work unfinished (that work is resumed by the next instance).
 * A second signal during the drain is ignored; the bound still applies.
 */
export function installGracefulShutdown(
  app: NestExpressApplication,
  options: ShutdownOptions,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    running ??= drainAndClose(app, options, signal);
    return running;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => shutdown('manual');
}

async function drainAndClose(
  app: NestExpressApplication,
  options: ShutdownOptions,
  signal: string,
): Promise<void> {
  const { logger, timeoutMs } = options;
  const coordinator = app.get(ShutdownCoordinator);
  const started = Date.now();
  coordinator.beginDrain();
  logger.info('shutdown_started', {
    signal,
    timeout_ms: timeoutMs,
    requests_in_flight: coordinator.requestsInFlight,
  });

  const server = app.getHttpServer() as Server;
  const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A keep-alive connection whose request was already running when the drain began becomes idle later.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);

  const result = await coordinator.drain(timeoutMs, (name, err) =>
    logger.error('shutdown_hook_failed', {
      hook: name,
      error: err instanceof Error ? err.message : String(err),
    }),
  );
  clearInterval(sweep);
  if (!result.completed) {
    logger.warn('shutdown_timeout', {
      requests_in_flight: result.unfinished.requests,
      work_in_flight: Object.entries(result.unfinished.work).map(([kind, n]) => `${kind}:${n}`),
      hooks_pending: result.unfinished.hooks,
    });
  }
  // Every response is complete; what is left are idle or half-closed sockets.
  server.closeAllConnections();
  await listenerClosed;

  let exitCode = result.completed ? 0 : 1;
  try {
    await app.close();
  } catch (err) {
    exitCode = 1;
    logger.error('shutdown_close_failed', { error: err instanceof Error ? err.message : String(err) });
  }
  logger.info('shutdown_complete', { exit_code: exitCode, duration_ms: Date.now() - started });
  options.exit(exitCode);
}
