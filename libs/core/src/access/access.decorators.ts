import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorResponseDto } from '../errors/error-response.dto.js';
import { AccessRule, Principal } from './principal.js';

export const ACCESS_RULE_KEY = 'mira:access-rule';

/** Declares who may call a route (see AccessRule) and documents its auth errors in OpenAPI. */
export function Access(rule: AccessRule) {
  const decorators: Array<ClassDecorator | MethodDecorator> = [SetMetadata(ACCESS_RULE_KEY, rule)];
  if (rule !== 'public') {
    decorators.push(
      ApiBearerAuth(),
      ApiResponse({
        status: 401,
        description: 'Missing, expired, forged or revoked token',
        type: ErrorResponseDto,
      }),
    );
  }
  if (rule === 'network' || rule === 'network-owner') {
    decorators.push(
      ApiResponse({
        status: 404,
        description: 'Not found, or not yours (the same answer for both)',
        type: ErrorResponseDto,
      }),
      ApiResponse({ status: 422, description: 'Invalid parameters or body', type: ErrorResponseDto }),
    );
  }
  return applyDecorators(...decorators);
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
