import type { SignInProvider } from './sign-in.types.js';

/**
 * Where a sign-in may send the person (and the tokens) back to. Only to places the operator listed: a loopback port
 * of OAUTH_REDIRECT_PORTS for the desktop apps, an origin of OAUTH_SPA_ORIGINS for the web app. Anything else is
 * refused before the provider is even asked, so Mira never becomes an open redirect.
 */

/** The desktop apps' loopback callback (what desktop-app 1.1.1 and dadei's Electron build listen for). */
export function loopbackRedirectUri(provider: SignInProvider, port: number): string {
  return `http://127.0.0.1:${port}/auth/${provider}/callback`;
}

/** The allowed port, or null when `raw` is not one of them. */
export function allowedRedirectPort(allowed: readonly number[], raw: number): number | null {
  return allowed.includes(raw) ? raw : null;
}

/**
 * The SPA origin to return to: the one asked for when it is on the list (compared as an exact origin, after URL
 * normalisation), the first listed when none was asked for, null otherwise.
 */
export function allowedSpaOrigin(allowed: readonly string[], requested: string | undefined): string | null {
  if (requested === undefined || requested === '') return allowed[0] ?? null;
  let origin: string;
  try {
    const parsed = new URL(requested);
    origin = parsed.origin;
    // "https://app.example.com/evil" or "https://app.example.com@evil.example" are not origins.
    if (origin !== requested.replace(/\/$/, '') || parsed.username || parsed.password) return null;
  } catch {
    return null;
  }
  return allowed.includes(origin) ? origin : null;
}

/**
 * A path inside the SPA to continue at (dadei sends `/assistant`): one that starts with a single `/`, with no
 * backslash or control character, at most 512 characters. Anything else is dropped (the SPA then uses its default).
 */
export function safeNextPath(next: string | undefined): string | null {
  if (next === undefined || next.length === 0 || next.length > 512) return null;
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return null;
  return next;
}

/** `{origin}/auth/callback?…`: the SPA page that reads the tokens or the error from the query. */
export function spaCallbackUrl(origin: string, params: Record<string, string | null>): string {
  const url = new URL('/auth/callback', origin);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}
