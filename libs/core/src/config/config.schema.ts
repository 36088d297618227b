/**
 * The whole configuration: one section per area, each parsed by its own `<area>.config.ts` from the same
 * EnvReader, so every problem of every area is reported in one boot. A new setting goes into its area's file (and
 * into docs/configuration.md, which a unit test holds to the variables read here).
 */
import { resolve } from 'node:path';
import { parseAudioConfig, type AudioSectionValues } from './audio.config.js';
import { parseDatabaseConfig, type DatabaseConfigValues } from './database.config.js';
import { EnvReader, type ConfigContext, type RawEnvironment } from './env-reader.js';
import { parseGeminiConfig, type GeminiConfigValues } from './gemini.config.js';
import { parseJobsConfig, type JobsConfigValues } from './jobs.config.js';
import { parseJwtConfig, type JwtConfigValues } from './jwt.config.js';
import { parseRateLimitConfig, type RateLimitConfigValues } from './rate-limit.config.js';
import { parseRealtimeConfig, type RealtimeConfigValues } from './realtime.config.js';
import { parseRecordingsConfig, type RecordingsConfigValues } from './recordings.config.js';
import { parseRetentionConfig, type RetentionConfigValues } from './retention.config.js';
import { parseServerConfig, type ServerConfigValues } from './server.config.js';
import { parseSignInConfig, type SignInConfigValues } from './sign-in.config.js';
import { parseSpeechConfig, type SpeechConfigValues } from './speech.config.js';
import { parseStreamsConfig, type StreamsConfigValues } from './streams.config.js';

export type NodeEnv = 'development' | 'production' | 'test';

export interface AppConfigValues
  extends
    ServerConfigValues,
    DatabaseConfigValues,
    JwtConfigValues,
    GeminiConfigValues,
    AudioSectionValues,
    JobsConfigValues,
    RateLimitConfigValues,
    RetentionConfigValues,
    SpeechConfigValues,
    StreamsConfigValues,
    RealtimeConfigValues,
    RecordingsConfigValues {
  nodeEnv: NodeEnv;
  /** Where zero-configuration runs keep the embedded database and their generated secrets. */
  dataDir: string;
  /** Sign-in with Google and GitHub (sign-in.config.ts). */
  signIn: SignInConfigValues;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Reads env once, validates every variable, and collects all problems before failing. */
export function parseConfig(raw: RawEnvironment, packageVersion: string): AppConfigValues {
  const env = new EnvReader(raw);
  const nodeEnv = env.oneOf<NodeEnv>('NODE_ENV', ['development', 'production', 'test'], 'development');
  const ctx: ConfigContext = {
    isProduction: nodeEnv === 'production',
    dataDir: resolve(env.str('DATA_DIR') ?? './data'),
  };
  const config: AppConfigValues = {
    nodeEnv,
    dataDir: ctx.dataDir,
    ...parseServerConfig(env, ctx, packageVersion),
    ...parseDatabaseConfig(env, ctx),
    ...parseJwtConfig(env, ctx),
    ...parseGeminiConfig(env),
    ...parseAudioConfig(env),
    ...parseJobsConfig(env),
    ...parseRateLimitConfig(env),
    ...parseRetentionConfig(env),
    ...parseSpeechConfig(env, ctx),
    ...parseStreamsConfig(env),
    ...parseRealtimeConfig(env),
    ...parseRecordingsConfig(env),
    signIn: parseSignInConfig(env.str, env.int, env.problems, ctx),
  };
  if (env.problems.length > 0) throw new ConfigValidationError(env.problems);
  return config;
}
