import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppConfigValues, parseConfig } from './config.schema.js';
import type { RawEnvironment } from './env-reader.js';

/** The one typed view of configuration. Built once at boot; nothing else reads the environment. */
export class AppConfig {
  private constructor(readonly values: AppConfigValues) {}

  static fromEnvironment(env: RawEnvironment = process.env, overrides: RawEnvironment = {}): AppConfig {
    return new AppConfig(parseConfig({ ...env, ...overrides }, readPackageVersion()));
  }

  get isProduction(): boolean {
    return this.values.nodeEnv === 'production';
  }
}

function readPackageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mira-backend' && pkg.version) return pkg.version;
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
