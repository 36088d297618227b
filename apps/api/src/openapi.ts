import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig, MAX_JSON_DEPTH, RATE_BUDGET_EXTENSION } from '@mira/core';

const DESCRIPTION = `Backend for always-listening, multi-device AI assistants.

**Auth.** Register or log in under \`/api/v1/auth\` to get a bearer access token. Create a network, then register
devices with \`POST /api/v1/{network_id}/service/client/register/{client_id}\`; each device gets its own token scoped
to that network. Every \`/api/v1/{network_id}/...\` route needs a token of the network's owner or of one of its
devices. A network that is not yours answers 404, exactly like one that does not exist.

**The apps' door.** The shipped apps (desktop-app 1.x, dadei 4.x) call routes without a network id (tag \`apps\`:
\`/api/v1/service/clients\`, \`/api/v1/interactions/register\`, \`/api/v1/persons\`, …): a user token stands for the
account's network (\`X-Network-Id\` picks one when the user owns several), a device token for its own. Their
WebSocket is \`/api/v1/realtime/ws\`. Pointing each app at a deployment: docs/apps.md.

**Versions.** \`/api/v1\` and \`/api/v2\` serve the same routes; v2 adds list envelopes where documented
(the apps' routes answer bare lists on both, as the apps read them).

**Errors.** Every error has the body \`{detail, error_code, timestamp, request_id}\` (422s add \`fields\`), also
the ones answered before a route is found: 400 \`MALFORMED_REQUEST\` (not HTTP), 408 \`REQUEST_TIMEOUT\` (headers or
body too slow), 431 \`HEADERS_TOO_LARGE\`. A body in a type the route does not read is 415
\`UNSUPPORTED_MEDIA_TYPE\`; JSON nested deeper than 32 levels is 400.`;

/** ReDoc's self-contained bundle from the `redoc` package, served by the app so /redoc works without internet. */
export const REDOC_SCRIPT_PATH = '/redoc/redoc.standalone.js';
const redocBundle = (): string => createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Mira API')
    .setDescription(DESCRIPTION)
    .setVersion(config.values.appVersion)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'User access token (JWT) or device token (mira_ct_…)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, builder, {
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  documentEdgeErrors(document);
  return document;
}

const ERROR_BODY = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } };

/**
 * Answers every operation may get from the HTTP edge rather than from its handler, documented once as shared
 * responses and referenced from each operation: Node's own refusals (408, 431: answered before routing, with the
 * usual body), the rate limiter's 429 (every route but those declared `@RateBudget('exempt')`, which says so with
 * `x-rate-budget`), and, for routes that take a body, BodyMediaTypeGuard's 415 and the JSON parser's 400.
 */
function documentEdgeErrors(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.responses = {
    ...document.components.responses,
    RequestTimeout: {
      description:
        'REQUEST_TIMEOUT: the headers (HTTP_HEADERS_TIMEOUT_MS) or the whole request (HTTP_REQUEST_TIMEOUT_MS) took too long to arrive',
      content: ERROR_BODY,
    },
    HeadersTooLarge: {
      description: 'HEADERS_TOO_LARGE: the request headers are over 16 KB',
      content: ERROR_BODY,
    },
    RateLimited: {
      description:
        "RATE_LIMITED: the caller's or the network's budget for this window is spent (refused requests count too; on a WebSocket path, refused upgrades from the client address)",
      headers: {
        'Retry-After': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
      },
      content: ERROR_BODY,
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const op of [item.get, item.head, item.post, item.put, item.patch, item.delete]) {
      if (!op) continue;
      op.responses['408'] ??= { $ref: '#/components/responses/RequestTimeout' };
      op.responses['431'] ??= { $ref: '#/components/responses/HeadersTooLarge' };
      if ((op as { [RATE_BUDGET_EXTENSION]?: string })[RATE_BUDGET_EXTENSION] !== 'exempt') {
        op.responses['429'] ??= { $ref: '#/components/responses/RateLimited' };
      }
      const content = op.requestBody && 'content' in op.requestBody ? op.requestBody.content : undefined;
      if (!content) continue;
      // what the route documents (as BodyMediaTypeGuard reads it); a JSON route also reads URL-encoded forms
      const types = Object.keys(content);
      const json = types.includes('application/json');
      const accepted =
        types.length === 1 && json
          ? 'application/json (or application/x-www-form-urlencoded)'
          : types.join(' or ');
      op.responses['415'] ??= {
        description: `UNSUPPORTED_MEDIA_TYPE: the body is not ${accepted}`,
        content: ERROR_BODY,
      };
      if (json) {
        op.responses['400'] ??= {
          description: `MALFORMED_REQUEST: the body is not valid JSON, or nests deeper than ${MAX_JSON_DEPTH} levels`,
          content: ERROR_BODY,
        };
      }
    }
  }
}

/**
 * Swagger UI at /docs, ReDoc at /redoc, the spec at /openapi.json. The document is built at its first request:
 * walking every route's metadata costs a start several hundred milliseconds that serve no request.
 */
export function mountDocs(app: INestApplication, config: AppConfig): void {
  let document: OpenAPIObject | undefined;
  const getDocument = (): OpenAPIObject => (document ??= buildOpenApiDocument(app, config));
  const http = app.getHttpAdapter();
  http.get('/openapi.json', (_req: Request, res: Response) => res.json(getDocument()));
  if (!config.values.docsEnabled) return;
  SwaggerModule.setup('docs', app, getDocument, {
    jsonDocumentUrl: '/openapi.json',
    customSiteTitle: 'Mira API',
  });
  http.get(REDOC_SCRIPT_PATH, (_req: Request, res: Response) => {
    res.type('application/javascript').sendFile(redocBundle());
  });
  http.get('/redoc', (_req: Request, res: Response) => {
    res.type('html').send(`<!DOCTYPE html>
<html><head><title>Mira API – ReDoc</title><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="${REDOC_SCRIPT_PATH}"></script></body></html>`);
  });
}
