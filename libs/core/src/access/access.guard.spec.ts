import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AppError } from '../errors/app-error.js';
import { AppLogger } from '../logging/app-logger.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { ACCESS_RULE_KEY, type AuthenticatedRequest } from './access.decorators.js';
import { AccessGuard } from './access.guard.js';
import { NetworkAccessPort, type SignInSession, type UserAccess } from './network-access.port.js';
import type { AccessRule, Principal } from './principal.js';
import { TokenService } from './token.service.js';

const config = AppConfig.fromEnvironment(
  {},
  {
    NODE_ENV: 'test',
    JWT_SECRET: 'unit-secret-that-is-long-enough-for-hs256-signing',
    JWT_ACCESS_TTL_SECONDS: '60',
  },
);
const OWN = randomUUID();
const FOREIGN = randomUUID();

/** One user owning OWN; `cached`: the access cache holds that (the guard may decide without a lookup). */
class OneOwner extends NetworkAccessPort {
  lookups = 0;
  constructor(
    private readonly userId: string,
    private readonly cached: boolean,
  ) {
    super();
  }
  resolveClientToken(): Promise<Extract<Principal, { kind: 'client' }> | null> {
    return Promise.resolve(null);
  }
  userOwnsNetwork(userId: string, networkId: string): Promise<boolean> {
    this.lookups++;
    return Promise.resolve(userId === this.userId && networkId === OWN);
  }
  accountNetwork(): Promise<string | null> {
    return Promise.resolve(OWN);
  }
  sessionIsLive(userId: string): Promise<boolean> {
    this.lookups++;
    return Promise.resolve(userId === this.userId);
  }
  userAccess(userId: string, _sessionId: string, networkId: string): UserAccess | Promise<UserAccess> {
    if (this.cached && userId === this.userId && networkId === OWN) return { live: true, ownsNetwork: true };
    this.lookups++;
    return Promise.resolve({ live: userId === this.userId, ownsNetwork: networkId === OWN });
  }
  liveSessions(sessions: readonly SignInSession[]): Promise<Set<string>> {
    return Promise.resolve(new Set(sessions.map((s) => s.sessionId)));
  }
}

class Routes {
  network(): void {}
  owner(): void {}
}
Reflect.defineMetadata(ACCESS_RULE_KEY, 'network' satisfies AccessRule, Routes.prototype.network);
Reflect.defineMetadata(ACCESS_RULE_KEY, 'network-owner' satisfies AccessRule, Routes.prototype.owner);

/** What a caller and the next handlers can tell: the answer or the refusal, the principal, the network, headers. */
async function outcome(
  guard: AccessGuard,
  handler: () => void,
  networkId: string,
  authorization: string | undefined,
): Promise<{
  synchronous: boolean;
  answer: unknown;
  principal: unknown;
  networkId: unknown;
  headers: unknown;
}> {
  const headers: Record<string, string> = {};
  const request = {
    method: 'GET',
    ip: '127.0.0.1',
    params: { network_id: networkId },
    header: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined),
    headers: authorization === undefined ? {} : { authorization },
  } as unknown as AuthenticatedRequest;
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const context = new ExecutionContextHost([request, response, () => undefined], Routes, handler);
  let answer: unknown;
  let synchronous = false;
  try {
    const decided = guard.canActivate(context);
    synchronous = !(decided instanceof Promise);
    answer = await decided;
  } catch (err) {
    answer = err instanceof AppError ? { status: err.status, code: err.code, detail: err.detail } : err;
  }
  return { synchronous, answer, principal: request.principal, networkId: request.networkId, headers };
}

/**
 * A request whose access the cache holds is decided without a promise; it must answer exactly as the lookup does:
 * the same admission or refusal (401, 404, 422), the same principal and network left on the request, the same
 * rate-limit count and headers.
 */
describe('AccessGuard from the access cache answers as the lookup does', () => {
  const tokens = new TokenService(config);
  const userId = randomUUID();
  const { token } = tokens.signAccessToken(userId, randomUUID());
  const stranger = tokens.signAccessToken(randomUUID(), randomUUID()).token;
  const [head, body, signature] = token.split('.') as [string, string, string];
  const forged = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

  const guardWith = (cached: boolean) => {
    const port = new OneOwner(userId, cached);
    const logger = new AppLogger('error', true);
    const limiter = new RateLimiter(new Reflector(), config, logger, {} as DataSource);
    return { port, guard: new AccessGuard(new Reflector(), tokens, port, logger, limiter, config) };
  };

  it.each([
    ['own network', OWN, `Bearer ${token}`],
    ['own network, upper-case id', OWN.toUpperCase(), `Bearer ${token}`],
    ['another network', FOREIGN, `Bearer ${token}`],
    ['a malformed network id', 'not-a-uuid', `Bearer ${token}`],
    ['another user on this network', OWN, `Bearer ${stranger}`],
    ['a forged token', OWN, `Bearer ${forged}`],
    ['no token', OWN, undefined],
    ['not a bearer', OWN, `Basic ${token}`],
  ])('%s', async (_name, networkId, authorization) => {
    for (const handler of [Routes.prototype.network, Routes.prototype.owner]) {
      const cached = guardWith(true);
      const looked = guardWith(false);
      const fast = await outcome(cached.guard, handler, networkId, authorization);
      const slow = await outcome(looked.guard, handler, networkId, authorization);
      expect({ ...fast, synchronous: undefined }).toStrictEqual({ ...slow, synchronous: undefined });
      if (fast.answer === true) {
        // admitted from the cache: no lookup, no promise
        expect(fast.synchronous).toBe(true);
        expect(cached.port.lookups).toBe(0);
        expect(looked.port.lookups).toBe(1);
      }
    }
  });

  it('admits the owner with the lower-cased network and the caller budget counted', async () => {
    const { guard } = guardWith(true);
    const admitted = await outcome(guard, Routes.prototype.network, OWN.toUpperCase(), `Bearer ${token}`);
    expect(admitted).toMatchObject({
      synchronous: true,
      answer: true,
      principal: { kind: 'user', userId },
      networkId: OWN,
    });
    const refused = await outcome(guard, Routes.prototype.network, FOREIGN, `Bearer ${token}`);
    expect(refused.answer).toEqual({ status: 404, code: 'NETWORK_NOT_FOUND', detail: 'Network not found' });
    expect(refused.headers).toMatchObject({ 'X-RateLimit-Limit': expect.any(String) as unknown });
  });
});
