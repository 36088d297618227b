import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSignInConfig, type SignInConfigValues } from './sign-in.config.js';
import { parseSpeechConfig, SpeechConfigValues } from './speech.config.js';

/** What a deployment can set. Every variable is optional in the embedded development default. */
export interface RawEnvironment {
  [name: string]: string | undefined;
}

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface AppConfigValues extends SpeechConfigValues {
  nodeEnv: NodeEnv;
  appVersion: string;
  host: string;
  port: number;
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string };
  migrateOnBoot: boolean;
  dataDir: string;
  jwt: {
    secret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    secretSource: 'env' | 'generated';
  };
  corsOrigins: string[];
  logLevel: LogLevel;
  gemini: { apiKey?: string; baseUrl?: string; model: string; timeoutMs: number };
  modelDir: string;
  audio: AudioConfigValues;
  docsEnabled: boolean;
  trustProxy: boolean;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  jobs: { workerEnabled: boolean; pollIntervalMs: number; concurrency: number; leaseMs: number };
  rateLimit: RateLimitConfig;
  retention: {
    defaultDays: number;
    auditDays: number;
    tombstoneDays: number;
    sweepEnabled: boolean;
    sweepIntervalSeconds: number;
  };
  securityHeaders: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  streams: StreamsConfig;
  realtime: RealtimeConfig;
  /** Sign-in with Google and GitHub (sign-in.config.ts). */
  signIn: SignInConfigValues;
}

/** The apps' WebSocket (libs/realtime; docs/apps.md). */
export interface RealtimeConfig {
  /** Sockets one network (one account with its devices) may hold on one instance; more are closed with 1013. */
  maxSocketsPerNetwork: number;
  /** Sockets one instance holds at most. */
  maxSockets: number;
  /** Bytes queued to one socket before it is judged too slow and closed (1013); bounds memory per socket. */
  sendBufferBytes: number;
  /** Seconds between server heartbeats (dadei closes a socket that hears nothing for 60 s). */
  heartbeatSeconds: number;
  /** Lifetime of a session_token; a fresh session_ready is sent before it runs out. */
  sessionTtlSeconds: number;
  /**
   * How long a service_status change waits before it is pushed, so that it reaches the apps after the answer to
   * their enable/disable call (they start a 5 s "no response" timer only once that answer is in).
   */
  statusDelayMs: number;
}

/** Multi-microphone ingestion and arbitration (docs/streams.md). */
export interface StreamsConfig {
  /** How long after a chunk's (aligned) end the decision waits for other microphones' copies. */
  arbitrationWindowMs: number;
  /** Score points (0–100 scale) a challenger must beat the floor holder by while the same talk continues. */
  hysteresisMargin: number;
  /** A gap of silence longer than this ends the talk: the next utterance is decided without hysteresis. */
  floorHoldMs: number;
  /** A stream with no chunk for this long is inactive and loses the floor. */
  inactiveAfterMs: number;
  /** Longest accepted chunk. */
  maxChunkSeconds: number;
  /** Copies whose speech_ratio is below this (0–1) are not forwarded when no copy of the group reaches it. */
  minSpeechRatio: number;
  /** Phone location/RSSI older than this no longer affect a score. */
  phoneSignalTtlMs: number;
  /** How fast the per-stream clock-offset estimate may rise (clock drift allowance, parts per million). */
  clockDriftPpm: number;
}

/** Audio pipeline limits and tuning (libs/audio). */
export interface AudioConfigValues {
  /** Longest accepted clip, seconds (AUDIO_MAX_SECONDS). */
  maxSeconds: number;
  /** Largest accepted upload, bytes (AUDIO_MAX_BYTES). */
  maxBytes: number;
  /** Speaker model to use: a manifest name, or `auto` (highest-priority model present). */
  speakerModel: string;
  /** `auto` (GTCRN when its file is present, else spectral gating) or `spectral-gate`. */
  denoiser: 'auto' | 'spectral-gate';
  vad: {
    threshold: number;
    negThreshold: number;
    minSpeechMs: number;
    minSilenceMs: number;
    speechPadMs: number;
  };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Reads env once, validates every variable, and collects all problems before failing. */
export function parseConfig(env: RawEnvironment, packageVersion: string): AppConfigValues {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      problems.push(`${name} must be a number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };

  const nodeEnv = oneOf<NodeEnv>('NODE_ENV', ['development', 'production', 'test'], 'development');
  const isProduction = nodeEnv === 'production';
  const dataDir = resolve(str('DATA_DIR') ?? './data');

  const databaseUrl = str('DATABASE_URL');
  let database: AppConfigValues['database'];
  if (databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
    }
    database = { kind: 'postgres', url: databaseUrl, poolSize: int('DB_POOL_SIZE', 10, 1, 200) };
  } else {
    if (isProduction) problems.push('DATABASE_URL is required when NODE_ENV=production');
    database = { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
  }

  let jwtSecret = str('JWT_SECRET');
  let secretSource: 'env' | 'generated' = 'env';
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  }
  if (jwtSecret === undefined) {
    if (isProduction) problems.push('JWT_SECRET is required when NODE_ENV=production');
    jwtSecret = loadOrCreateDevSecret(dataDir);
    secretSource = 'generated';
  }

  const corsRaw = str('CORS_ORIGINS');
  const corsOrigins =
    corsRaw === undefined ? (isProduction ? [] : ['*']) : corsRaw.split(',').map((o) => o.trim());
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS has an invalid origin "${origin}" (expected scheme://host[:port] or *)`);
    }
  }

  const geminiBaseUrl = str('GEMINI_BASE_URL');
  if (geminiBaseUrl !== undefined && !/^https?:\/\//.test(geminiBaseUrl)) {
    problems.push('GEMINI_BASE_URL must be an http(s) URL');
  }

  const metricsToken = str('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters long');
  }

  const config: AppConfigValues = {
    nodeEnv,
    appVersion: str('APP_VERSION') ?? packageVersion,
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8000, 1, 65535),
    database,
    migrateOnBoot: bool('DB_MIGRATE_ON_BOOT', true),
    dataDir,
    jwt: {
      secret: jwtSecret,
      accessTtlSeconds: int('JWT_ACCESS_TTL_SECONDS', 900, 30, 86_400),
      refreshTtlSeconds: int('JWT_REFRESH_TTL_SECONDS', 30 * 86_400, 300, 365 * 86_400),
      secretSource,
    },
    corsOrigins,
    logLevel: oneOf<LogLevel>('LOG_LEVEL', ['error', 'warn', 'info', 'debug'], 'info'),
    gemini: {
      apiKey: str('GEMINI_API_KEY'),
      baseUrl: geminiBaseUrl,
      model: str('GEMINI_MODEL') ?? 'gemini-2.5-flash',
      timeoutMs: int('GEMINI_TIMEOUT_MS', 20_000, 100, 300_000),
    },
    modelDir: resolve(str('MODEL_DIR') ?? join(homedir(), '.cache', 'mira', 'models')),
    audio: {
      maxSeconds: int('AUDIO_MAX_SECONDS', 60, 1, 3600),
      maxBytes: int('AUDIO_MAX_BYTES', 10 * 1_048_576, 1024, 500 * 1_048_576),
      speakerModel: str('SPEAKER_MODEL') ?? 'auto',
      denoiser: oneOf<'auto' | 'spectral-gate'>('AUDIO_DENOISER', ['auto', 'spectral-gate'], 'auto'),
      vad: {
        threshold: num('VAD_THRESHOLD', 0.5, 0.01, 0.99),
        negThreshold: num('VAD_NEG_THRESHOLD', 0.35, 0.01, 0.99),
        minSpeechMs: int('VAD_MIN_SPEECH_MS', 250, 0, 10_000),
        minSilenceMs: int('VAD_MIN_SILENCE_MS', 300, 0, 10_000),
        speechPadMs: int('VAD_SPEECH_PAD_MS', 100, 0, 2_000),
      },
    },
    docsEnabled: bool('DOCS_ENABLED', true),
    trustProxy: bool('TRUST_PROXY', false),
    bodyLimitBytes: int('JSON_BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 120_000),
    metricsToken,
    jobs: {
      workerEnabled: bool('JOBS_WORKER_ENABLED', true),
      pollIntervalMs: int('JOBS_POLL_INTERVAL_MS', 250, 10, 60_000),
      concurrency: int('JOBS_CONCURRENCY', 2, 1, 64),
      leaseMs: int('JOBS_LEASE_MS', 120_000, 1000, 3_600_000),
    },
    rateLimit: {
      enabled: bool('RATE_LIMIT_ENABLED', true),
      store: oneOf<'memory' | 'postgres'>('RATE_LIMIT_STORE', ['memory', 'postgres'], 'memory'),
      windowSeconds: int('RATE_LIMIT_WINDOW_SECONDS', 3600, 1, 86_400),
      perCaller: {
        // 1,000 requests an hour per caller: ample for people and apps, small for a runaway script.
        read: int('RATE_LIMIT_READ', 1000, 1, 10_000_000),
        write: int('RATE_LIMIT_WRITE', 1000, 1, 10_000_000),
        // A device streaming one chunk a second sends 3,600 an hour.
        ingest: int('RATE_LIMIT_INGEST', 7200, 1, 10_000_000),
        enrol: int('RATE_LIMIT_ENROL', 30, 1, 10_000_000),
        llm: int('RATE_LIMIT_LLM', 200, 1, 10_000_000),
      },
      perNetwork: {
        read: int('RATE_LIMIT_NETWORK_READ', 5000, 1, 10_000_000),
        write: int('RATE_LIMIT_NETWORK_WRITE', 5000, 1, 10_000_000),
        ingest: int('RATE_LIMIT_NETWORK_INGEST', 40_000, 1, 10_000_000),
        enrol: int('RATE_LIMIT_NETWORK_ENROL', 60, 1, 10_000_000),
        llm: int('RATE_LIMIT_NETWORK_LLM', 500, 1, 10_000_000),
      },
    },
    retention: {
      defaultDays: int('RETENTION_DEFAULT_DAYS', 90, 1, 36_500),
      auditDays: int('AUDIT_RETENTION_DAYS', 365, 1, 36_500),
      tombstoneDays: int('TOMBSTONE_RETENTION_DAYS', 30, 1, 36_500),
      sweepEnabled: bool('RETENTION_SWEEP_ENABLED', true),
      sweepIntervalSeconds: int('RETENTION_SWEEP_INTERVAL_SECONDS', 3600, 1, 86_400),
    },
    securityHeaders: bool('SECURITY_HEADERS', true),
    ...parseSpeechConfig(str, problems, { isProduction, dataDir }),
    streams: {
      arbitrationWindowMs: int('STREAM_ARBITRATION_WINDOW_MS', 800, 50, 10_000),
      hysteresisMargin: int('STREAM_HYSTERESIS_MARGIN', 5, 0, 100),
      floorHoldMs: int('STREAM_FLOOR_HOLD_MS', 1500, 0, 60_000),
      inactiveAfterMs: int('STREAM_INACTIVE_AFTER_MS', 15_000, 200, 3_600_000),
      maxChunkSeconds: int('STREAM_MAX_CHUNK_SECONDS', 30, 1, 600),
      minSpeechRatio: int('STREAM_MIN_SPEECH_PERCENT', 5, 0, 100) / 100,
      phoneSignalTtlMs: int('STREAM_PHONE_SIGNAL_TTL_MS', 300_000, 1000, 86_400_000),
      clockDriftPpm: int('STREAM_CLOCK_DRIFT_PPM', 1000, 0, 100_000),
    },
    realtime: {
      maxSocketsPerNetwork: int('REALTIME_MAX_SOCKETS_PER_NETWORK', 20, 1, 10_000),
      maxSockets: int('REALTIME_MAX_SOCKETS', 10_000, 1, 1_000_000),
      sendBufferBytes: int('REALTIME_SEND_BUFFER_BYTES', 1_048_576, 4096, 64 * 1_048_576),
      heartbeatSeconds: int('REALTIME_HEARTBEAT_SECONDS', 25, 1, 55),
      sessionTtlSeconds: int('REALTIME_SESSION_TTL_SECONDS', 3600, 10, 86_400),
      statusDelayMs: int('REALTIME_STATUS_DELAY_MS', 300, 0, 4000),
    },
    signIn: parseSignInConfig(str, int, problems, { isProduction }),
  };
  if (config.audio.vad.negThreshold >= config.audio.vad.threshold) {
    problems.push('VAD_NEG_THRESHOLD must be lower than VAD_THRESHOLD');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

/** Zero-configuration development: a random secret kept in the data directory so tokens survive restarts. */
function loadOrCreateDevSecret(dataDir: string): string {
  const file = join(dataDir, '.jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** The budgets a route can draw from (see @RateBudget). */
export const RATE_BUDGETS = ['read', 'write', 'ingest', 'enrol', 'llm'] as const;
export type RateBudgetName = (typeof RATE_BUDGETS)[number];

export interface RateLimitConfig {
  enabled: boolean;
  /** memory: per process (N instances allow N×); postgres: one shared fixed-window counter table. */
  store: 'memory' | 'postgres';
  windowSeconds: number;
  /** Requests per window for one caller (user, device, or client address when anonymous). */
  perCaller: Record<RateBudgetName, number>;
  /** Requests per window for a whole network, summed over its callers. */
  perNetwork: Record<RateBudgetName, number>;
}
