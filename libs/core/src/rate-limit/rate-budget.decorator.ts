import { SetMetadata } from '@nestjs/common';
import type { RateBudgetName } from '../config/rate-limit.config.js';

export const RATE_BUDGET_KEY = 'mira:rate-budget';

/**
 * Which rate-limit budget a route draws from. Without it, GET/HEAD routes use 'read' and every other method 'write'.
 * 'exempt' is for health checks that load balancers poll.
 */
export const RateBudget = (budget: RateBudgetName | 'exempt') => SetMetadata(RATE_BUDGET_KEY, budget);
