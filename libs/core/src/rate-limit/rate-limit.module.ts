import { Global, Module } from '@nestjs/common';
import { RateLimiter } from './rate-limiter.js';

/**
 * The one rate limiter of the application, for the global guards and for what no guard sees (WebSocket upgrades
 * and the sockets that refuse them). Apart from CoreModule because it needs the database's DataSource.
 */
@Global()
@Module({ providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
