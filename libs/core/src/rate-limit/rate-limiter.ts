import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { AuthenticatedRequest } from '../access/access.decorators.js';
import { principalLabel, type Principal } from '../access/principal.js';
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

/** The caller's key: the principal, or the client address (X-Forwarded-For only as far as TRUST_PROXY trusts). */
export function callerKey(request: AuthenticatedRequest, principal: Principal | undefined): string {
  return principal ? principalLabel(principal) : `ip:${request.ip ?? 'unknown'}`;
}

/**
 * Fixed-window budgets: one per caller (user, device, or the client address for anonymous calls) and one per
 * network the request acts on. Both must have room, else 429 RATE_LIMITED with Retry-After. A store failure
 * (database away) lets the request through: the limiter never causes an outage on its own.
 */
@Injectable()
export class RateLimiter {
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

  /** The budget this request draws from, or null when limits are off or the route is exempt. */
  budgetOf(context: ExecutionContext): RateBudgetName | null {
    if (!this.config.values.rateLimit.enabled || context.getType() !== 'http') return null;
    const declared = this.reflector.getAllAndOverride<RateBudgetName | 'exempt' | undefined>(
      RATE_BUDGET_KEY,
      [context.getHandler(), context.getClass()],
    );
    const budget = budgetFor(context.switchToHttp().getRequest<AuthenticatedRequest>().method, declared);
    return budget === 'exempt' ? null : budget;
  }

  /**
   * Counts one request against the caller's budget and, when given, the network's; throws 429 when either is
   * spent. Sets X-RateLimit-Limit / -Remaining for the caller budget.
   */
  async count(context: ExecutionContext, caller: string, networkId?: string): Promise<void> {
    const budget = this.budgetOf(context);
    if (budget === null) return;
    const limits = this.config.values.rateLimit;
    const keys = [`${budget}|${caller}`];
    const caps = [limits.perCaller[budget]];
    if (networkId) {
      keys.push(`${budget}|network:${networkId}`);
      caps.push(limits.perNetwork[budget]);
    }
    let counts;
    try {
      counts = await this.store.hit(keys, limits.windowSeconds * 1000, Date.now());
    } catch (err) {
      this.logger.warn('rate_limit_store_unavailable', {
        error_message: err instanceof Error ? err.message.slice(0, 200) : String(err),
      });
      return;
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
  }
}
