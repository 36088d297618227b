import type { IncomingMessage } from 'node:http';
import { ArgumentsHost, RequestMethod, VersioningType } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import {
  AllExceptionsFilter,
  AppConfig,
  BoundedExpressAdapter,
  CommonErrors,
  AppLogger,
  createValidationPipe,
  MetricsService,
  middlewareChain,
  NETWORK_ID_HEADER,
  RateLimiter,
  refuseDeepJson,
  requestLoggingMiddleware,
  securityHeadersMiddleware,
  ShutdownCoordinator,
} from '@mira/core';
import { appLineMiddleware, stripAppLine } from '@mira/apps';
import { AppModule } from './app.module.js';
import { mountDocs } from './openapi.js';
import { PathPatternWsAdapter } from './path-pattern-ws.adapter.js';

/** Routes that live outside /api/v{n}. */
const UNVERSIONED = ['/', 'health', 'health/detailed', 'metrics'];

/** Builds the fully configured application (used by main.ts and by the tests). */
export async function createApp(config: AppConfig, logger: AppLogger): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, logger),
    new BoundedExpressAdapter(config.values.http, logger),
    { logger, bodyParser: false, abortOnError: false },
  );
  app.disable('x-powered-by');
  // No ETag: hashing every JSON body costs each request, and no client sends If-None-Match (the apps do not).
  app.set('etag', false);
  app.getHttpServer().prependListener('upgrade', (req: IncomingMessage) => {
    const found = req.url === undefined ? null : stripAppLine(req.url);
    if (found) req.url = found.url;
  });
  // Exactly the proxies the deployment has (ALB: 1): X-Forwarded-For entries left of them are the client's own.
  app.set('trust proxy', config.values.trustProxyHops > 0 ? config.values.trustProxyHops : false);
  // What every request passes first, as one router layer. /apps/<line>/… is served as /… (see APP_LINES): first, so
  // that everything after sees the routed path.
  const front: RequestHandler[] = [
    appLineMiddleware,
    requestLoggingMiddleware(logger, {
      metrics: app.get(MetricsService),
      shutdown: app.get(ShutdownCoordinator),
    }),
  ];
  if (config.values.securityHeaders) front.push(securityHeadersMiddleware({ hsts: config.isProduction }));
  app.use(middlewareChain(front));
  // Nest's typing reserves body-parser's `verify` for its rawBody option (unused here); it reaches the parser as is.
  const jsonOptions = { limit: config.values.bodyLimitBytes, verify: refuseDeepJson };
  app.useBodyParser('json', jsonOptions as NestExpressBodyParserOptionsFor<'json'>);
  app.useBodyParser('urlencoded', { limit: config.values.bodyLimitBytes, extended: false });
  const origins = config.values.corsOrigins;
  app.enableCors({
    origin: origins.includes('*') ? true : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Idempotency-Key', NETWORK_ID_HEADER],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'X-Next-Cursor'],
    maxAge: 600,
  });
  app.setGlobalPrefix('api', { exclude: UNVERSIONED.map((path) => ({ path, method: RequestMethod.GET })) });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: ['1', '2'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(logger));
  // The realtime sessions read every client message themselves (their writes go through the bounded send), so
  // the adapter's own message routing is given nothing to route. Gateway paths may hold :params. An address that
  // has spent its budget on refused upgrades (or refused GETs) gets 429 before any gateway reads a token.
  const limiter = app.get(RateLimiter);
  app.useWebSocketAdapter(
    new PathPatternWsAdapter(app, {
      messageParser: () => undefined,
      refuseUpgrade: (request) => limiter.refuseUpgrade(request),
    }),
  );
  // No app.enableShutdownHooks(): main.ts owns SIGTERM/SIGINT (graceful drain, then exit 0; see lifecycle/).
  mountDocs(app, config);
  await app.init();
  // Anything no controller matched gets the same error body as every other failure.
  const filter = new AllExceptionsFilter(logger);
  app.use((req: Request, res: Response) => {
    filter.catch(CommonErrors.routeNotFound(`Cannot ${req.method} ${req.path}`), {
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    } as unknown as ArgumentsHost);
  });
  return app;
}
