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
  trustProxy: boolean;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  securityHeaders: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
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
    trustProxy: bool('TRUST_PROXY', false),
    bodyLimitBytes: int('JSON_BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 120_000),
    securityHeaders: bool('SECURITY_HEADERS', true),
    metricsToken,
  };
}
