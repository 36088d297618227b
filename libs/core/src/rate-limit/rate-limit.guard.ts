import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../access/access.decorators.js';
import { callerKey, RateLimiter } from './rate-limiter.js';

/**
 * Counts every request the access guard let through, in a guard registered after it so the caller and its
 * network are known (a guard, not an interceptor: no interceptor runs globally, so a request pays no rxjs
 * pipeline): the caller's budget (user, device, or the client address for anonymous routes) and the network's
 * (network and account routes). Requests the access guard refuses are counted by that guard itself. With the
 * in-process store it answers without a promise (Nest then awaits nothing for it).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const networkId = request.principal ? request.networkId : undefined;
    const counted = this.limiter.count(context, callerKey(request, request.principal), networkId);
    return counted instanceof Promise ? counted.then(() => true) : true;
  }
}
