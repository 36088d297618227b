import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { AccessCache, AppConfig, AppError, AppLogger, TokenService, Transactions } from '@mira/core';
import { AuthService } from '../auth.service.js';
import { IdentityRepository } from '../identity.repository.js';
import type { IssuedTokens, User } from '../identity.types.js';
import { GitHubSignIn } from './github-sign-in.js';
import { GoogleSignIn } from './google-sign-in.js';
import {
  allowedRedirectPort,
  allowedSpaOrigin,
  loopbackRedirectUri,
  safeNextPath,
  spaCallbackUrl,
} from './redirect-policy.js';
import { SignInErrors } from './sign-in.errors.js';
import { SignInRepository } from './sign-in.repository.js';
import type { ProviderIdentity, SignInFlow, SignInProvider, SignInProviderClient } from './sign-in.types.js';

/** Where Mira's own callbacks live (registered at the providers; the same under /api/v2). */
export const GOOGLE_WEB_CALLBACK_PATH = '/api/v1/auth/google/web/callback';
export const GITHUB_CALLBACK_PATH = '/api/v1/auth/github/callback';

/** Mira's one-time codes at the end of GitHub's desktop flow (recognisable in logs and leaks). */
const SIGN_IN_GRANT_PREFIX = 'mira_sg_';

/** The parameters a provider redirected with, as the callback routes received them. */
export type CallbackQuery = Record<string, string | undefined>;

/**
 * Sign-in with a provider, from the first click to Mira's own token pair. Every flow gets a random single-use state
 * (stored hashed, bound to provider, kind and where it returns to, expiring after OAUTH_STATE_TTL_SECONDS), a PKCE
 * verifier and, for OpenID Connect, a nonce. The account is the one the provider identity is linked to, else the
 * account of the provider-verified e-mail (which the identity is then linked to), else a new account without a
 * password. An e-mail the provider did not verify never reaches an account.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly flows: SignInRepository,
    private readonly identities: IdentityRepository,
    private readonly auth: AuthService,
    private readonly google: GoogleSignIn,
    private readonly github: GitHubSignIn,
    private readonly tokens: TokenService,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly accessCache: AccessCache,
  ) {}

  private get settings() {
    return this.config.values.signIn;
  }

  /** GET /auth/{provider}/url?redirect_port: the provider's sign-in page for a desktop app, and the flow's state. */
  async startDesktop(
    provider: SignInProvider,
    redirectPort: number,
  ): Promise<{ url: string; state: string }> {
    const client = this.client(provider);
    const port = allowedRedirectPort(this.settings.redirectPorts, redirectPort);
    if (port === null) throw SignInErrors.redirectPortNotAllowed(redirectPort);
    // Google redirects straight to the app's loopback port; GitHub to Mira, which checks the state and then
    // hands the app a one-time code of its own on that port (the app sends no state back with GitHub's code).
    const redirectUri =
      provider === 'google' ? loopbackRedirectUri('google', port) : this.publicUrl(GITHUB_CALLBACK_PATH);
    return this.start(client, {
      kind: 'desktop',
      redirectUri,
      redirectPort: port,
      spaOrigin: null,
      nextPath: null,
    });
  }

  /** GET /auth/google/web/login: where the browser goes first (the provider), for a listed SPA origin only. */
  async startGoogleWeb(next: string | undefined, spaOrigin: string | undefined): Promise<string> {
    const client = this.client('google');
    if (this.settings.spaOrigins.length === 0) throw SignInErrors.notConfigured('Google', 'web sign-in');
    const origin = allowedSpaOrigin(this.settings.spaOrigins, spaOrigin);
    if (origin === null) throw SignInErrors.spaOriginNotAllowed();
    const started = await this.start(client, {
      kind: 'web',
      redirectUri: this.publicUrl(GOOGLE_WEB_CALLBACK_PATH),
      redirectPort: null,
      spaOrigin: origin,
      nextPath: safeNextPath(next),
    });
    return started.url;
  }

  /** POST /auth/google/callback {code, state}: the desktop app hands over what its loopback port caught. */
  async finishGoogleDesktop(code: string, state: string): Promise<IssuedTokens> {
    const flow = await this.flows.consumeFlow(TokenService.hashOpaqueToken(state), 'google', 'desktop');
    if (!flow) throw SignInErrors.invalidState();
    const identity = await this.google.identify(flow, new URLSearchParams({ code, state }), state);
    return this.auth.startSession(await this.account(identity));
  }

  /**
   * GET /auth/google/web/callback: the provider sent the browser back. Answers where the browser goes next: the
   * SPA's /auth/callback with the tokens, or with `error` and `error_description`. A state that is unknown, used or
   * expired names no SPA, so that answer goes to the first listed origin.
   */
  async finishGoogleWeb(query: CallbackQuery): Promise<string> {
    const state = query['state'] ?? '';
    const flow = state
      ? await this.flows.consumeFlow(TokenService.hashOpaqueToken(state), 'google', 'web')
      : null;
    if (!flow) {
      const fallback = this.settings.spaOrigins[0];
      if (!fallback) throw SignInErrors.invalidState();
      const error = SignInErrors.invalidState();
      return spaCallbackUrl(fallback, { error: error.code.toLowerCase(), error_description: error.detail });
    }
    const origin = flow.spaOrigin as string;
    const outcome = await this.complete(this.google, flow, query, state);
    return 'tokens' in outcome
      ? spaCallbackUrl(origin, {
          access_token: outcome.tokens.accessToken,
          refresh_token: outcome.tokens.refreshToken,
          next: flow.nextPath,
        })
      : spaCallbackUrl(origin, { ...outcome.error, next: flow.nextPath });
  }

  /**
   * GET /auth/github/callback: GitHub sent the app's sign-in window back to Mira. Answers the app's loopback URL with
   * a one-time code of Mira's (exchanged by POST /auth/github/exchange), or with `error` and `error_description`.
   */
  async finishGitHubCallback(query: CallbackQuery): Promise<string> {
    const state = query['state'] ?? '';
    const flow = state
      ? await this.flows.consumeFlow(TokenService.hashOpaqueToken(state), 'github', 'desktop')
      : null;
    if (!flow) throw SignInErrors.invalidState();
    const port = flow.redirectPort as number;
    const target = new URL(loopbackRedirectUri('github', port));
    const outcome = await this.complete(this.github, flow, query, state);
    if ('error' in outcome) {
      target.searchParams.set('error', outcome.error.error);
      target.searchParams.set('error_description', outcome.error.error_description);
      return target.toString();
    }
    const grant = this.tokens.mintOpaqueToken(SIGN_IN_GRANT_PREFIX);
    const expiresAt = new Date(Date.now() + this.settings.stateTtlSeconds * 1000);
    await this.flows.insertGrant(
      grant.hash,
      { provider: 'github', userId: outcome.user.id, redirectPort: port },
      expiresAt,
    );
    target.searchParams.set('code', grant.token);
    target.searchParams.set('state', state);
    return target.toString();
  }

  /** POST /auth/github/exchange {code, redirect_port}: Mira's one-time code for the token pair. */
  async exchangeGitHub(code: string, redirectPort: number): Promise<IssuedTokens> {
    this.client('github');
    const userId = await this.flows.consumeGrant(TokenService.hashOpaqueToken(code), 'github', redirectPort);
    if (!userId) throw SignInErrors.invalidGrant();
    const user = await this.identities.findUserById(userId);
    if (!user) throw SignInErrors.invalidGrant();
    if (!user.isActive) throw SignInErrors.accountDisabled();
    return this.auth.startSession(user);
  }

  private client(provider: SignInProvider): SignInProviderClient {
    const client = provider === 'google' ? this.google : this.github;
    if (!client.configured) throw SignInErrors.notConfigured(provider === 'google' ? 'Google' : 'GitHub');
    return client;
  }

  private publicUrl(path: string): string {
    const base = this.settings.publicBaseUrl;
    if (base === undefined) throw SignInErrors.notConfigured('PUBLIC_BASE_URL for', 'provider callbacks');
    return `${base}${path}`;
  }

  private async start(
    client: SignInProviderClient,
    where: Pick<SignInFlow, 'kind' | 'redirectUri' | 'redirectPort' | 'spaOrigin' | 'nextPath'>,
  ): Promise<{ url: string; state: string }> {
    const state = oidc.randomState();
    const flow: SignInFlow = {
      provider: client.provider,
      ...where,
      codeVerifier: oidc.randomPKCECodeVerifier(),
      nonce: client.provider === 'google' ? oidc.randomNonce() : null,
    };
    // The URL first: a provider that cannot be discovered leaves no flow behind.
    const url = await client.authorizationUrl(flow, state);
    const expiresAt = new Date(Date.now() + this.settings.stateTtlSeconds * 1000);
    await this.flows.insertFlow(TokenService.hashOpaqueToken(state), flow, expiresAt);
    this.logger.info('sign_in_started', { provider: client.provider, kind: flow.kind });
    return { url: url.toString(), state };
  }

  /** The provider's answer to a browser flow, as an account or as the error to send back (never thrown). */
  private async complete(
    client: SignInProviderClient,
    flow: SignInFlow,
    query: CallbackQuery,
    state: string,
  ): Promise<{ tokens: IssuedTokens; user: User } | { error: { error: string; error_description: string } }> {
    const providerError = query['error'];
    if (providerError !== undefined) {
      // access_denied when the person said no; the provider's words are not passed on (they are not ours to show).
      const code = /^[a-z_]{1,64}$/.test(providerError) ? providerError : 'sign_in_failed';
      this.logger.info('sign_in_refused_by_provider', { provider: flow.provider, error: code });
      return {
        error: { error: code, error_description: `${flow.provider} sign-in was not completed (${code})` },
      };
    }
    const response = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) response.set(key, value);
    try {
      const user = await this.account(await client.identify(flow, response, state));
      return { user, tokens: await this.auth.startSession(user) };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { error: { error: err.code.toLowerCase(), error_description: err.detail } };
    }
  }

  /** The account a checked provider identity signs in to (see the class comment). */
  private async account(identity: ProviderIdentity): Promise<User> {
    let sessionsEndedOf: string | undefined;
    const user = await this.transactions.run(async (tx) => {
      const owner = await this.flows.identityOwner(identity.provider, identity.subject, tx);
      if (owner) return this.identities.findUserById(owner, tx);
      if (identity.email === null || !identity.emailVerified)
        throw SignInErrors.emailNotVerified(identity.provider);
      await this.identities.lockEmail(identity.email, tx);
      let account = await this.identities.findUserByEmail(identity.email, tx);
      if (account && account.isActive && account.passwordHash !== null) {
        // Mira never verified the e-mail of a password account; the provider did. Whoever set that password may
        // not own the address, so it stops working and its sessions end: the account is now the address owner's.
        await this.identities.dropPasswordAndSessions(account.id, tx);
        sessionsEndedOf = account.id;
        this.logger.warn('sign_in_password_account_linked', {
          user_id: account.id,
          provider: identity.provider,
        });
      }
      account ??= await this.identities.insertUser(identity.email, null, tx);
      if (!account) throw new Error('account vanished while its e-mail was locked');
      const linkedTo = await this.flows.linkIdentity(identity.provider, identity.subject, account.id, tx);
      return this.identities.findUserById(linkedTo, tx);
    });
    if (sessionsEndedOf !== undefined) this.accessCache.forgetUser(sessionsEndedOf);
    if (!user) throw SignInErrors.invalidState();
    if (!user.isActive) throw SignInErrors.accountDisabled();
    this.logger.info('sign_in_completed', { user_id: user.id, provider: identity.provider });
    return user;
  }
}
