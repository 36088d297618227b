import type { IncomingMessage } from 'node:http';
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
import { clientAddress } from '../http/client-address.js';
import { AppLogger } from '../logging/app-logger.js';
import { RATE_BUDGET_KEY } from './rate-budget.decorator.js';
import {
  MemoryRateLimitStore,
  PostgresRateLimitStore,
  type RateLimitStore,
  type WindowCount,
} from './rate-limit.store.js';

export const RateLimitErrors = {
  rateLimited: (budget: string, retryAfterSeconds: number) =>
    new AppError('RATE_LIMITED', `Too many ${budget} requests; retry in ${retryAfterSeconds} s`, 429, {
      retryAfterSeconds,
    }),
} as const;

/** What counting one hit found: the caller budget's cap and what is left of it, and the 429 when a budget is spent. */
export interface RateCount {
  limit: number;
  remaining: number;
  refusal: AppError | null;
}

/** A WebSocket upgrade is a GET: its refusals draw from the read budget, like a GET refused on the same path. */
export const UPGRADE_BUDGET: RateBudgetName = 'read';

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
 * (database away) lets the request through: the limiter never causes an outage on its own. `count` serves guards
 * (an ExecutionContext); `hit`, `spent` and the upgrade methods serve what has no context (WebSocket upgrades).
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
   * spent. Sets X-RateLimit-Limit / -Remaining for the caller budget. Answers at once (no promise) when the store
   * counts in this process.
   */
  count(context: ExecutionContext, caller: string, networkId?: string): void | Promise<void> {
    const budget = this.budgetOf(context);
    if (budget === null) return;
    const counted = this.hit(budget, caller, networkId);
    if (counted instanceof Promise) return counted.then((c) => this.answer(context, c));
    this.answer(context, counted);
  }

  /**
   * Counts one hit against `budget` for the caller and, when given, the network, outside any request context.
   * Null when limits are off or the store failed (the hit is let through); a promise when the store is remote.
   */
  hit(
    budget: RateBudgetName,
    caller: string,
    networkId?: string,
  ): RateCount | null | Promise<RateCount | null> {
    const limits = this.config.values.rateLimit;
    if (!limits.enabled) return null;
    const keys = [`${budget}|${caller}`];
    const caps = [limits.perCaller[budget]];
    if (networkId) {
      keys.push(`${budget}|network:${networkId}`);
      caps.push(limits.perNetwork[budget]);
    }
    let counts: WindowCount[] | Promise<WindowCount[]>;
    try {
      counts = this.store.hit(keys, limits.windowSeconds * 1000, Date.now());
    } catch (err) {
      return this.unavailable(err);
    }
    if (counts instanceof Promise) {
      return counts.then(
        (found) => this.tally(budget, caps, found),
        (err: unknown) => this.unavailable(err),
      );
    }
    return this.tally(budget, caps, counts);
  }

  private answer(context: ExecutionContext, counted: RateCount | null): void {
    if (counted === null) return;
    const response = context.switchToHttp().getResponse<Response>();
    response.setHeader('X-RateLimit-Limit', String(counted.limit));
    response.setHeader('X-RateLimit-Remaining', String(counted.remaining));
    if (counted.refusal) throw counted.refusal;
  }

  private tally(budget: RateBudgetName, caps: number[], counts: WindowCount[]): RateCount {
    const limit = caps[0] as number;
    const callerCount = (counts[0] as WindowCount).count;
    let refusal: AppError | null = null;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as WindowCount;
      if (count.count > (caps[i] as number)) {
        refusal = this.refuse(budget, i === 0 ? 'caller' : 'network', count);
        break;
      }
    }
    return { limit, remaining: Math.max(0, limit - callerCount), refusal };
  }

  /**
   * The 429 a caller's next hit would get, found without counting one: its budget is already spent. Null when there
   * is room, limits are off or the store failed.
   */
  async spent(budget: RateBudgetName, caller: string): Promise<AppError | null> {
    const limits = this.config.values.rateLimit;
    if (!limits.enabled) return null;
    const counts = await this.read(() =>
      this.store.peek([`${budget}|${caller}`], limits.windowSeconds * 1000, Date.now()),
    );
    const count = counts?.[0];
    if (count === undefined || count.count < limits.perCaller[budget]) return null;
    return this.refuse(budget, 'caller', count);
  }

  /**
   * The caller key of a request Express never sees (a WebSocket upgrade): its client address, read through exactly
   * TRUST_PROXY proxies, the key an anonymous or refused HTTP request from that client is counted under.
   */
  addressKey(request: IncomingMessage): string {
    return `ip:${clientAddress(request, this.config.values.trustProxyHops) ?? 'unknown'}`;
  }

  /**
   * Asked before a WebSocket upgrade is accepted, so before its token is read or any lookup made: the 429 when the
   * client address has spent its budget (refused upgrades and refused GETs count there), else null.
   */
  refuseUpgrade(request: IncomingMessage): Promise<AppError | null> {
    return this.spent(UPGRADE_BUDGET, this.addressKey(request));
  }

  /**
   * A socket refused after its upgrade (bad token, another network, a malformed parameter) cost a lookup: one hit
   * against its client address. The token is not trusted, so the address is the caller.
   */
  async countRefusedUpgrade(request: IncomingMessage): Promise<void> {
    await this.hit(UPGRADE_BUDGET, this.addressKey(request));
  }

  private async read<T>(query: () => Promise<T>): Promise<T | null> {
    try {
      return await query();
    } catch (err) {
      return this.unavailable(err);
    }
  }

  private unavailable(err: unknown): null {
    this.logger.warn('rate_limit_store_unavailable', {
      error_message: err instanceof Error ? err.message.slice(0, 200) : String(err),
    });
    return null;
  }

  private refuse(budget: RateBudgetName, scope: 'caller' | 'network', count: WindowCount): AppError {
    this.logger.warn('rate_limited', { budget, scope });
    return RateLimitErrors.rateLimited(budget, Math.max(1, Math.ceil(count.resetInMs / 1000)));
  }
}
