import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  AccessCache,
  AppConfig,
  AppLogger,
  REFRESH_TOKEN_PREFIX,
  TokenService,
  Transactions,
  type Tx,
} from '@mira/core';
import { IdentityErrors } from './identity.errors.js';
import { IdentityRepository } from './identity.repository.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password-hasher.js';
import type { IssuedTokens, User } from './identity.types.js';

/** Accounts, sign-in and token rotation. */
@Injectable()
export class AuthService {
  constructor(
    private readonly repository: IdentityRepository,
    private readonly tokens: TokenService,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly transactions: Transactions,
    private readonly accessCache: AccessCache,
  ) {}

  async register(email: string, password: string): Promise<IssuedTokens> {
    const user = await this.repository.insertUser(email, await hashPassword(password));
    if (!user) throw IdentityErrors.emailTaken();
    this.logger.info('user_registered', { user_id: user.id });
    return this.issueTokens(user, randomUUID());
  }

  async login(email: string, password: string): Promise<IssuedTokens> {
    const user = await this.repository.findUserByEmail(email);
    // An account made by a provider sign-in has no password: it is refused like an unknown e-mail.
    if (!user || user.passwordHash === null) {
      await burnPasswordCheck(password);
      throw IdentityErrors.invalidCredentials();
    }
    if (!(await verifyPassword(password, user.passwordHash)) || !user.isActive) {
      throw IdentityErrors.invalidCredentials();
    }
    return this.issueTokens(user, randomUUID());
  }

  /**
   * Single-use rotation. Presenting an already-used token revokes its whole family (likely theft), which ends the
   * access tokens of that session too (see UsersService.sessionIsLive). The used token is marked and its successor
   * stored in one transaction, so the session never looks closed in between.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const hash = TokenService.hashOpaqueToken(refreshToken);
    const issued = await this.transactions.run(async (tx) => {
      const consumed = await this.repository.consumeRefreshToken(hash, tx);
      if (!consumed) return null;
      if (new Date(consumed.expiresAt).getTime() <= Date.now()) throw IdentityErrors.invalidRefreshToken();
      const user = await this.repository.findUserById(consumed.userId);
      if (!user || !user.isActive) throw IdentityErrors.invalidRefreshToken();
      return this.issueTokens(user, consumed.familyId, tx);
    });
    if (issued) return issued;
    const known = await this.repository.findRefreshToken(hash);
    if (known) {
      await this.repository.revokeFamily(known.familyId);
      this.accessCache.forgetUser(known.userId);
      this.logger.warn('refresh_token_reuse', { user_id: known.userId });
    }
    throw IdentityErrors.invalidRefreshToken();
  }

  /** Revokes the refresh token's family (sign out of that session). Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const known = await this.repository.findRefreshToken(TokenService.hashOpaqueToken(refreshToken));
    if (!known) return;
    await this.repository.revokeFamily(known.familyId);
    // every instance hears it from the database; this one forgets before answering
    this.accessCache.forgetUser(known.userId);
  }

  async me(userId: string): Promise<User> {
    const user = await this.repository.findUserById(userId);
    if (!user) throw IdentityErrors.userNotFound();
    return user;
  }

  /** A new sign-in session for the user (also used by the provider sign-ins). */
  startSession(user: User): Promise<IssuedTokens> {
    return this.issueTokens(user, randomUUID());
  }

  /** A session's tokens: the access token names the session (refresh-token family) it lives and dies with. */
  private async issueTokens(user: User, familyId: string, tx?: Tx): Promise<IssuedTokens> {
    const access = this.tokens.signAccessToken(user.id, familyId);
    const refresh = this.tokens.mintOpaqueToken(REFRESH_TOKEN_PREFIX);
    await this.repository.insertRefreshToken(
      {
        userId: user.id,
        familyId,
        tokenHash: refresh.hash,
        expiresAt: new Date(Date.now() + this.config.values.jwt.refreshTtlSeconds * 1000),
      },
      tx,
    );
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.expiresIn, user };
  }
}
