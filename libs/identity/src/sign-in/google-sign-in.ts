import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { AppConfig, type GoogleSignInConfig } from '@mira/core';
import { SignInErrors } from './sign-in.errors.js';
import { providerFailure } from './provider-failure.js';
import type { ProviderIdentity, SignInFlow, SignInProviderClient } from './sign-in.types.js';

/**
 * Google through OpenID Connect, with `openid-client` (a certified relying party): discovery of the issuer's
 * endpoints, authorization code with PKCE (S256), and an ID token checked for issuer, audience (the flow's client),
 * signature (the issuer's JWKS), expiry and nonce before anything in it is believed. The desktop flow may use its own
 * client ("Desktop app" client type) and the web flow the web client; each flow remembers which by its kind.
 */
@Injectable()
export class GoogleSignIn implements SignInProviderClient {
  readonly provider = 'google' as const;
  private readonly configurations = new Map<'desktop' | 'web', Promise<oidc.Configuration>>();

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.settings !== undefined;
  }

  private get settings(): GoogleSignInConfig | undefined {
    return this.config.values.signIn.google;
  }

  async authorizationUrl(flow: SignInFlow, state: string): Promise<URL> {
    const configuration = await this.configuration(flow.kind);
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: flow.redirectUri,
      response_type: 'code',
      scope: 'openid email profile',
      state,
      nonce: flow.nonce ?? '',
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
      prompt: 'select_account',
    });
  }

  async identify(flow: SignInFlow, response: URLSearchParams, state: string): Promise<ProviderIdentity> {
    const configuration = await this.configuration(flow.kind);
    const current = new URL(flow.redirectUri);
    for (const [key, value] of response) current.searchParams.append(key, value);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: state,
        expectedNonce: flow.nonce ?? undefined,
        idTokenExpected: true,
      });
    } catch (err) {
      throw providerFailure('Google', err);
    }
    const claims = tokens.claims();
    if (!claims) throw SignInErrors.rejected('no ID token');
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
    return {
      provider: 'google',
      subject: claims.sub,
      email,
      emailVerified: email !== null && claims.email_verified === true,
    };
  }

  /** Discovered once per client and kept; a failed discovery is forgotten so the next sign-in tries again. */
  private configuration(kind: 'desktop' | 'web'): Promise<oidc.Configuration> {
    const settings = this.settings;
    if (!settings) return Promise.reject(SignInErrors.notConfigured('Google'));
    let pending = this.configurations.get(kind);
    if (!pending) {
      const [clientId, secret] =
        kind === 'desktop'
          ? [settings.desktopClientId, settings.desktopClientSecret]
          : [settings.clientId, settings.clientSecret];
      const issuer = new URL(settings.issuer);
      pending = oidc
        .discovery(issuer, clientId, secret, undefined, {
          execute: [
            oidc.enableNonRepudiationChecks,
            ...(issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : []),
          ],
          timeout: Math.ceil(this.config.values.signIn.providerTimeoutMs / 1000),
        })
        .catch((err: unknown) => {
          this.configurations.delete(kind);
          throw providerFailure('Google', err);
        });
      this.configurations.set(kind, pending);
    }
    return pending;
  }
}
