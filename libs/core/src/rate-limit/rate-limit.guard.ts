import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { AuthenticatedRequest } from '../access/access.decorators.js';
import { principalLabel } from '../access/principal.js';
import { AppConfig } from '../config/app-config.js';
import type { RateBudgetName } from '../config/rate-limit.config.js';
import { AppError } from '../errors/app-error.js';
import { AppLogger } from '../logging/app-logger.js';
import { RATE_BUDGET_KEY } from './rate-budget.decorator.js';
import { MemoryRateLimitStore, PostgresRateLimitStore, RateLimitStore } from './rate-limit.store.js';

export const RateLimitErrors = {
  rateLimited: (budget: string, retryAfterSeconds: number) =>
    new AppError('RATE_LIMITED', `Too many ${budget} requests; retry in ${retryAfterSeconds} s`, 429, {
      retryAfterSeconds,
    }),
} as const;

/** Which budget a request uses: the route's @RateBudget, else read for GET/HEAD and write for the rest. */
export function budgetFor(method: string, declared: RateBudgetName | 'exempt' | undefined) {
  if (declared !== undefined) return declared;
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/**
 * Fixed-window rate limits, a guard registered after the access guard so the caller is known (a guard, not an
 * interceptor: no interceptor runs globally, so a request pays no rxjs pipeline): one budget per caller
 * (user, device, or the client address for anonymous calls; the address honours X-Forwarded-For only when
 * TRUST_PROXY is set) and one per network for network and account routes. Both must have room, else 429 with
 * Retry-After. A store failure (database away) lets the request through: the limiter never causes an outage.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly store: RateLimitStore;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.store =
      config.values.rateLimit.store === 'postgres'
        ? new PostgresRateLimitStore(dataSource)
        : new MemoryRateLimitStore();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limits = this.config.values.rateLimit;
    if (!limits.enabled || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const declared = this.reflector.getAllAndOverride<RateBudgetName | 'exempt' | undefined>(
      RATE_BUDGET_KEY,
      [context.getHandler(), context.getClass()],
    );
    const budget = budgetFor(request.method, declared);
    if (budget === 'exempt') return true;

    const caller = request.principal ? principalLabel(request.principal) : `ip:${request.ip ?? 'unknown'}`;
    const keys = [`${budget}|${caller}`];
    const caps = [limits.perCaller[budget]];
    const networkId = request.principal ? request.networkId : undefined;
    if (networkId) {
      keys.push(`${budget}|network:${networkId}`);
      caps.push(limits.perNetwork[budget]);
    }
    const windowMs = limits.windowSeconds * 1000;
    let counts;
    try {
      counts = await this.store.hit(keys, windowMs, Date.now());
    } catch (err) {
      this.logger.warn('rate_limit_store_unavailable', {
        error_message: err instanceof Error ? err.message.slice(0, 200) : String(err),
      });
      return true;
    }
    const response = context.switchToHttp().getResponse<Response>();
    const callerCount = counts[0] as { count: number; resetInMs: number };
    response.setHeader('X-RateLimit-Limit', String(caps[0]));
    response.setHeader('X-RateLimit-Remaining', String(Math.max(0, (caps[0] as number) - callerCount.count)));
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as { count: number; resetInMs: number };
      if (count.count > (caps[i] as number)) {
        const retryAfter = Math.max(1, Math.ceil(count.resetInMs / 1000));
        this.logger.warn('rate_limited', { budget, scope: i === 0 ? 'caller' : 'network' });
        throw RateLimitErrors.rateLimited(budget, retryAfter);
      }
    }
    return true;
  }
}
