import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CommonErrors } from '../errors/app-error.js';

/** What a route reads when it declares nothing else (the JSON and form body parsers of app.factory). */
export const DEFAULT_BODY_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/**
 * Where `@ApiConsumes` keeps its media types (@nestjs/swagger's DECORATORS.API_CONSUMES, which the package does not
 * export): reading the documentation's own metadata means the docs and the behaviour cannot disagree. The body
 * media-type e2e test fails if the key ever moves.
 */
const API_CONSUMES_KEY = 'swagger/apiConsumes';

/**
 * A body in a media type the route does not read is a 415, never a silently ignored body (a multipart form sent
 * to a JSON route would otherwise parse as `{}` and "succeed" without changing anything). The media types a route
 * reads are the ones it documents with `@ApiConsumes` (the upload routes: multipart/form-data), else JSON and forms.
 * Bodiless requests pass whatever their Content-Type. A global guard (after the access guard, before the rate
 * limiter), not an interceptor: it only refuses, and a global interceptor would put every request through Nest's
 * rxjs pipeline.
 */
@Injectable()
export class BodyMediaTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!METHODS_WITH_BODY.has(request.method) || !hasBody(request)) return true;
    const consumes =
      this.reflector.getAllAndOverride<string[] | undefined>(API_CONSUMES_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? DEFAULT_BODY_MEDIA_TYPES;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!consumes.includes(type)) {
      throw CommonErrors.unsupportedMediaType(
        `This route reads ${consumes.join(' or ')}, not ${type || 'a body without a Content-Type'}`,
      );
    }
    return true;
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}
