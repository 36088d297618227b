import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { CommonErrors } from '../errors/app-error.js';
import { AppLogger } from '../logging/app-logger.js';
import { currentRequestContext } from '../logging/request-context.js';
import { ACCESS_RULE_KEY, AuthenticatedRequest } from './access.decorators.js';
import { NetworkAccessPort } from './network-access.port.js';
import { checkOperatorAccess } from './operator-access.js';
import { AccessRule, NETWORK_ID_HEADER, Principal, principalLabel } from './principal.js';
import { TokenService } from './token.service.js';
import { type BearerResult, resolveBearer } from './bearer.js';
import { callerKey, RateLimiter } from '../rate-limit/rate-limiter.js';
import { assertUuidParam, canonicaliseIdParams, isUuid } from './uuid.js';

/**
 * The one gate every route passes. Order: token (401) → network id format (422) → network access (404).
 * A foreign network answers exactly like a missing one, so ids cannot be probed. The network a request acts on
 * is left in `request.networkId` (from the path, or resolved from the token at the account door). Path ids leave
 * it lower-cased (one spelling downstream). A refused request still costs a lookup, so it is counted against its
 * caller's budget (the client address when the token was no good) and may be answered 429 instead.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly networks: NetworkAccessPort,
    private readonly logger: AppLogger,
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    canonicaliseIdParams(request.params);
    try {
      const decided = this.decide(context, request);
      if (decided instanceof Promise)
        return decided.catch((refusal: unknown) => this.countRefusal(context, request, refusal));
      return decided;
    } catch (refusal) {
      return this.countRefusal(context, request, refusal);
    }
  }

  /** A refusal counted like any request of this caller (a spent budget answers 429 rather than the refusal). */
  private async countRefusal(
    context: ExecutionContext,
    request: AuthenticatedRequest,
    refusal: unknown,
  ): Promise<never> {
    await this.limiter.count(context, callerKey(request, request.principal));
    throw refusal;
  }

  private ruleOf(context: ExecutionContext): AccessRule | undefined {
    return this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
  }

  /**
   * Decides without a promise when nothing needs a lookup (a user token verified before on a network route the
   * access cache allows: nearly every request of an app), else once the lookups have answered.
   */
  private decide(context: ExecutionContext, request: AuthenticatedRequest): boolean | Promise<boolean> {
    const rule = this.ruleOf(context);
    if (rule === undefined) {
      this.logger.error('route_without_access_rule', { route: request.route?.path });
      throw CommonErrors.forbidden('This route has no access rule');
    }
    if (rule === 'public') return true;
    if (rule === 'operator') {
      checkOperatorAccess(this.config.values, request.header('authorization'), request.path);
      return true;
    }

    // On a network route, a well-formed network id is checked together with the user token (one round trip).
    const pathNetwork = request.params['network_id'];
    const networkRoute = rule === 'network' || rule === 'network-owner';
    const networkId = networkRoute && isUuid(pathNetwork) ? pathNetwork.toLowerCase() : undefined;
    const header = request.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw CommonErrors.unauthenticated('Missing bearer token');
    const bearer = resolveBearer(match[1] as string, this.tokens, this.networks, networkId);
    return bearer instanceof Promise
      ? bearer.then((resolved) => this.admit(request, rule, resolved))
      : this.admit(request, rule, bearer);
  }

  /** What the bearer stands for, against the route's rule. */
  private admit(
    request: AuthenticatedRequest,
    rule: Exclude<AccessRule, 'public' | 'operator'>,
    bearer: BearerResult,
  ): boolean | Promise<boolean> {
    if (!bearer.ok) throw CommonErrors.unauthenticated(bearer.detail);
    const { principal, ownsNetwork } = bearer;
    request.principal = principal;
    const ctx = currentRequestContext();
    if (ctx) ctx.principal = principalLabel(principal);

    if (rule === 'user') {
      if (principal.kind !== 'user')
        throw CommonErrors.forbidden('This route needs a user token, not a device token');
      return true;
    }

    if (rule === 'account' || rule === 'account-owner') {
      return this.accountNetwork(principal, request).then((networkId) => {
        if (rule === 'account-owner' && principal.kind === 'client')
          throw CommonErrors.forbidden('Only the account owner may do this');
        request.networkId = networkId;
        if (ctx) ctx.networkId = networkId;
        return true;
      });
    }

    const networkId = assertUuidParam('network_id', request.params['network_id']);
    request.networkId = networkId;
    if (ctx) ctx.networkId = networkId;
    if (principal.kind === 'client') {
      if (principal.networkId !== networkId) throw CommonErrors.networkNotFound();
      if (rule === 'network-owner') throw CommonErrors.forbidden('Only the network owner may do this');
      return true;
    }
    const owned = (owns: boolean) => {
      if (!owns) throw CommonErrors.networkNotFound();
      return true;
    };
    return ownsNetwork === undefined
      ? this.networks.userOwnsNetwork(principal.userId, networkId).then(owned)
      : owned(ownsNetwork);
  }

  /**
   * The network behind an account-door call: a device's own network, or the user's account network (an
   * X-Network-Id the user does not own, or another device's network, answers 404 like a network door would).
   */
  private async accountNetwork(principal: Principal, request: AuthenticatedRequest): Promise<string> {
    const header = request.header(NETWORK_ID_HEADER);
    const requested = header === undefined ? null : assertUuidParam(NETWORK_ID_HEADER, header);
    if (principal.kind === 'client') {
      if (requested !== null && requested !== principal.networkId) throw CommonErrors.networkNotFound();
      return principal.networkId;
    }
    const networkId = await this.networks.accountNetwork(principal.userId, requested);
    if (networkId === null) throw CommonErrors.networkNotFound();
    return networkId;
  }
}
