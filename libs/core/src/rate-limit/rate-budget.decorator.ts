import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { RateBudgetName } from '../config/rate-limit.config.js';

export const RATE_BUDGET_KEY = 'mira:rate-budget';

/** Where OpenAPI shows a route's declared budget (the document then knows which routes never answer 429). */
export const RATE_BUDGET_EXTENSION = 'x-rate-budget';

/**
 * Which rate-limit budget a route draws from. Without it, GET/HEAD routes use 'read' and every other method 'write'.
 * 'exempt' is for health checks that load balancers poll.
 */
export const RateBudget = (budget: RateBudgetName | 'exempt') =>
  applyDecorators(SetMetadata(RATE_BUDGET_KEY, budget), ApiExtension(RATE_BUDGET_EXTENSION, budget));
