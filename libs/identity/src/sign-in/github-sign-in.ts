import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { AppConfig, type GitHubSignInConfig } from '@mira/core';
import { providerFailure } from './provider-failure.js';
import { SignInErrors } from './sign-in.errors.js';
import type { ProviderIdentity, SignInFlow, SignInProviderClient } from './sign-in.types.js';

interface GitHubUser {
  id?: unknown;
}
interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/**
 * GitHub through OAuth 2.0 (GitHub has no OpenID Connect for people): authorization code with PKCE (S256) and
 * state, with `openid-client` doing the protocol, then the REST API says who signed in (GET /user) and which e-mail
 * GitHub verified (GET /user/emails, scope `user:email`): only the primary address, and only when GitHub marks it
 * verified, can link to an account.
 */
@Injectable()
export class GitHubSignIn implements SignInProviderClient {
  readonly provider = 'github' as const;
  private configurationCache?: oidc.Configuration;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.settings !== undefined;
  }

  private get settings(): GitHubSignInConfig | undefined {
    return this.config.values.signIn.github;
  }

  authorizationUrl(flow: SignInFlow, state: string): Promise<URL> {
    return oidc.calculatePKCECodeChallenge(flow.codeVerifier).then((challenge) =>
      oidc.buildAuthorizationUrl(this.configuration(), {
        redirect_uri: flow.redirectUri,
        scope: 'read:user user:email',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        allow_signup: 'true',
      }),
    );
  }

  async identify(flow: SignInFlow, response: URLSearchParams, state: string): Promise<ProviderIdentity> {
    const current = new URL(flow.redirectUri);
    for (const [key, value] of response) current.searchParams.append(key, value);
    let accessToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(this.configuration(), current, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: state,
      });
      accessToken = tokens.access_token;
    } catch (err) {
      throw providerFailure('GitHub', err);
    }
    const user = (await this.api('/user', accessToken)) as GitHubUser;
    if (typeof user?.id !== 'number' && typeof user?.id !== 'string') {
      throw SignInErrors.providerFailed('GitHub', '/user answered without an id');
    }
    const emails = (await this.api('/user/emails', accessToken)) as GitHubEmail[];
    if (!Array.isArray(emails)) throw SignInErrors.providerFailed('GitHub', '/user/emails is not a list');
    const primary = emails.find((e) => e?.primary === true && typeof e.email === 'string');
    return {
      provider: 'github',
      subject: String(user.id),
      email: primary ? (primary.email as string).trim().toLowerCase() : null,
      emailVerified: primary?.verified === true,
    };
  }

  private configuration(): oidc.Configuration {
    const settings = this.settings;
    if (!settings) throw SignInErrors.notConfigured('GitHub');
    if (!this.configurationCache) {
      const configuration = new oidc.Configuration(
        {
          issuer: new URL(settings.authorizeUrl).origin,
          authorization_endpoint: settings.authorizeUrl,
          token_endpoint: settings.tokenUrl,
        },
        settings.clientId,
        settings.clientSecret,
      );
      if (new URL(settings.tokenUrl).protocol === 'http:') oidc.allowInsecureRequests(configuration);
      configuration.timeout = Math.ceil(this.config.values.signIn.providerTimeoutMs / 1000);
      this.configurationCache = configuration;
    }
    return this.configurationCache;
  }

  private async api(path: string, accessToken: string): Promise<unknown> {
    const settings = this.settings as GitHubSignInConfig;
    let response: Response;
    try {
      response = await fetch(`${settings.apiUrl}${path}`, {
        headers: {
          Authorization: `Bearer ${accessToken}`,
          Accept: 'application/vnd.github+json',
          'X-GitHub-Api-Version': '2022-11-28',
          'User-Agent': 'mira-backend',
        },
        signal: AbortSignal.timeout(this.config.values.signIn.providerTimeoutMs),
      });
    } catch (err) {
      throw providerFailure('GitHub', err);
    }
    if (response.status === 401 || response.status === 403) {
      throw SignInErrors.rejected(`GitHub refused ${path} (${response.status})`);
    }
    if (!response.ok) throw SignInErrors.providerFailed('GitHub', `${path} answered ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw SignInErrors.providerFailed('GitHub', `${path} answered something that is not JSON`);
    }
  }
}
