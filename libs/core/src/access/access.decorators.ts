import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorResponseDto } from '../errors/error-response.dto.js';
import { AccessRule, NETWORK_ID_HEADER, Principal } from './principal.js';

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
  if (rule === 'account' || rule === 'account-owner') {
    decorators.push(
      ApiHeader({
        name: NETWORK_ID_HEADER,
        required: false,
        description:
          'Only for a user who owns several networks: the one to act on (default: the oldest owned; an account ' +
          'without a network gets one on first use). A network that is not yours answers 404.',
        schema: { type: 'string', format: 'uuid' },
      }),
    );
  }
  if (rule === 'operator') {
    decorators.push(
      ApiResponse({
        status: 404,
        description: 'Not served: no operator token (METRICS_TOKEN) configured and OPS_ENDPOINTS_PUBLIC off',
        type: ErrorResponseDto,
      }),
    );
  } else if (rule !== 'public' && rule !== 'user') {
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
  /** The network the request acts on, set by the access guard on network and account routes. */
  networkId?: string;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});

/** The network an account-door route acts on (resolved once by the access guard from the token). */
export const AccountNetwork = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const networkId = ctx.switchToHttp().getRequest<AuthenticatedRequest>().networkId;
  if (!networkId) throw new Error('AccountNetwork used on a route whose access rule names no network');
  return networkId;
});
