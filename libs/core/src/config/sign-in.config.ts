/**
 * Sign-in with Google and GitHub (docs/sign-in.md). A provider is switched on by its client id and secret; everything
 * the provider is reached at is configurable so that tests (and private deployments) point it at their own server.
 */
export interface SignInConfigValues {
  /**
   * Mira's address as browsers and providers reach it (PUBLIC_BASE_URL), e.g. https://mira.example.com: the web
   * flow's and GitHub's callbacks are `<it>/api/v1/auth/google/web/callback` and `<it>/api/v1/auth/github/callback`.
   */
  publicBaseUrl?: string;
  google?: GoogleSignInConfig;
  github?: GitHubSignInConfig;
  /** Loopback ports a desktop app may ask the provider to redirect to (http://127.0.0.1:<port>/auth/…/callback). */
  redirectPorts: number[];
  /** Browser origins (scheme://host[:port]) the web flow may send the tokens back to; the first is the default. */
  spaOrigins: string[];
  /** How long a started sign-in may take before its state is refused. */
  stateTtlSeconds: number;
  /** Bound on every call to a provider (discovery, token, JWKS, user API). */
  providerTimeoutMs: number;
}

export interface GoogleSignInConfig {
  /** OpenID Connect issuer; its /.well-known/openid-configuration names the endpoints and the JWKS. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The desktop flow's client ("Desktop app" client type); the web client when not set. */
  desktopClientId: string;
  desktopClientSecret: string;
}

export interface GitHubSignInConfig {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** REST API base (GET /user, GET /user/emails). */
  apiUrl: string;
}

type Str = (name: string) => string | undefined;
type Int = (name: string, fallback: number, min: number, max: number) => number;

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])$/;

/**
 * An http(s) URL, https outside development unless it is a loopback address (a provider run by a test): tokens and
 * client secrets travel to these addresses.
 */
function url(name: string, value: string, problems: string[], isProduction: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    problems.push(`${name} must be an absolute http(s) URL (got "${value}")`);
    return value;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    problems.push(`${name} must be an http(s) URL (got "${value}")`);
  } else if (parsed.protocol === 'http:' && isProduction && !LOOPBACK.test(parsed.hostname)) {
    problems.push(`${name} must use https in production (got "${value}")`);
  }
  return value.replace(/\/+$/, '');
}

export function parseSignInConfig(
  str: Str,
  int: Int,
  problems: string[],
  ctx: { isProduction: boolean },
): SignInConfigValues {
  const pair = (idName: string, secretName: string): { id: string; secret: string } | undefined => {
    const id = str(idName);
    const secret = str(secretName);
    if (id === undefined && secret === undefined) return undefined;
    if (id === undefined || secret === undefined) {
      problems.push(`${idName} and ${secretName} are set together (one of them is missing)`);
      return undefined;
    }
    return { id, secret };
  };
  const urlOr = (name: string, fallback: string) =>
    url(name, str(name) ?? fallback, problems, ctx.isProduction);

  const googleWeb = pair('GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET');
  const googleDesktop = pair('GOOGLE_DESKTOP_CLIENT_ID', 'GOOGLE_DESKTOP_CLIENT_SECRET');
  const googleIssuer = urlOr('GOOGLE_ISSUER', 'https://accounts.google.com');
  if (googleDesktop && !googleWeb) {
    problems.push('GOOGLE_DESKTOP_CLIENT_ID needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET as well');
  }
  const github = pair('GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET');
  const githubUrls = {
    authorizeUrl: urlOr('GITHUB_AUTHORIZE_URL', 'https://github.com/login/oauth/authorize'),
    tokenUrl: urlOr('GITHUB_TOKEN_URL', 'https://github.com/login/oauth/access_token'),
    apiUrl: urlOr('GITHUB_API_URL', 'https://api.github.com'),
  };

  const rawBase = str('PUBLIC_BASE_URL');
  const publicBaseUrl =
    rawBase === undefined ? undefined : url('PUBLIC_BASE_URL', rawBase, problems, ctx.isProduction);
  if (publicBaseUrl !== undefined && /[?#]/.test(publicBaseUrl)) {
    problems.push('PUBLIC_BASE_URL must not carry a query or a fragment');
  }

  if (github && publicBaseUrl === undefined) {
    problems.push("GITHUB_CLIENT_ID needs PUBLIC_BASE_URL (GitHub redirects to Mira's own callback)");
  }
  if (str('OAUTH_SPA_ORIGINS') !== undefined && publicBaseUrl === undefined) {
    problems.push(
      "OAUTH_SPA_ORIGINS needs PUBLIC_BASE_URL (the web sign-in returns through Mira's callback)",
    );
  }

  const redirectPorts: number[] = [];
  for (const raw of (str('OAUTH_REDIRECT_PORTS') ?? '4280').split(',').map((p) => p.trim())) {
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port < 1024 || port > 65535) {
      problems.push(`OAUTH_REDIRECT_PORTS must list ports between 1024 and 65535 (got "${raw}")`);
    } else if (!redirectPorts.includes(port)) redirectPorts.push(port);
  }

  const spaOrigins: string[] = [];
  const rawOrigins = str('OAUTH_SPA_ORIGINS');
  for (const origin of rawOrigins === undefined ? [] : rawOrigins.split(',').map((o) => o.trim())) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      !parsed ||
      parsed.origin !== origin ||
      (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    ) {
      problems.push(`OAUTH_SPA_ORIGINS has an invalid origin "${origin}" (expected scheme://host[:port])`);
    } else if (parsed.protocol === 'http:' && ctx.isProduction && !LOOPBACK.test(parsed.hostname)) {
      problems.push(`OAUTH_SPA_ORIGINS must use https in production (got "${origin}")`);
    } else spaOrigins.push(origin);
  }

  return {
    publicBaseUrl,
    google: googleWeb
      ? {
          issuer: googleIssuer,
          clientId: googleWeb.id,
          clientSecret: googleWeb.secret,
          desktopClientId: googleDesktop?.id ?? googleWeb.id,
          desktopClientSecret: googleDesktop?.secret ?? googleWeb.secret,
        }
      : undefined,
    github: github ? { clientId: github.id, clientSecret: github.secret, ...githubUrls } : undefined,
    redirectPorts,
    spaOrigins,
    stateTtlSeconds: int('OAUTH_STATE_TTL_SECONDS', 600, 30, 3600),
    providerTimeoutMs: int('OAUTH_PROVIDER_TIMEOUT_MS', 10_000, 100, 120_000),
  };
}
