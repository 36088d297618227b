import type { ConfigContext, EnvReader } from './env-reader.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The HTTP server: where it listens, what it logs, who may call it from a browser, what it exposes. */
export interface ServerConfigValues {
  appVersion: string;
  host: string;
  port: number;
  corsOrigins: string[];
  logLevel: LogLevel;
  docsEnabled: boolean;
  /** Proxy hops in front of the app whose X-Forwarded-For entries are trusted (TRUST_PROXY; 0 = none, ALB = 1). */
  trustProxyHops: number;
  bodyLimitBytes: number;
  /** Bounds on how long a client may take to send a request's headers, and the whole request. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number };
  shutdownTimeoutMs: number;
  securityHeaders: boolean;
  /** When set, GET /metrics and GET /health/detailed require `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Without a token: whether /metrics and /health/detailed answer anyone (OPS_ENDPOINTS_PUBLIC), else 404. */
  opsEndpointsPublic: boolean;
}

export function parseServerConfig(
  env: EnvReader,
  ctx: ConfigContext,
  packageVersion: string,
): ServerConfigValues {
  const { str, int, bool, oneOf, problems } = env;

  const corsRaw = str('CORS_ORIGINS');
  const corsOrigins =
    corsRaw === undefined ? (ctx.isProduction ? [] : ['*']) : corsRaw.split(',').map((o) => o.trim());
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS has an invalid origin "${origin}" (expected scheme://host[:port] or *)`);
    }
  }

  const trustProxyHops = (() => {
    const raw = str('TRUST_PROXY')?.toLowerCase();
    if (raw === undefined || ['false', 'no', 'off'].includes(raw)) return 0;
    if (['true', 'yes', 'on'].includes(raw)) return 1;
    const hops = Number(raw);
    if (Number.isInteger(hops) && hops >= 0 && hops <= 10) return hops;
    problems.push(`TRUST_PROXY must be the number of proxies in front of the app, 0–10 (got "${raw}")`);
    return 0;
  })();
  const http = {
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1000, 120_000),
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 60_000, 1000, 600_000),
  };
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS');
  }

  const metricsToken = str('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters long');
  }

  return {
    appVersion: str('APP_VERSION') ?? packageVersion,
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8000, 1, 65535),
    corsOrigins,
    logLevel: oneOf<LogLevel>('LOG_LEVEL', ['error', 'warn', 'info', 'debug'], 'info'),
    docsEnabled: bool('DOCS_ENABLED', true),
    trustProxyHops,
    bodyLimitBytes: int('JSON_BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
    http,
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 120_000),
    securityHeaders: bool('SECURITY_HEADERS', true),
    metricsToken,
    opsEndpointsPublic: bool('OPS_ENDPOINTS_PUBLIC', !ctx.isProduction),
  };
}
