import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, parseConfig } from './config.schema.js';

/** Boot-time configuration — zero-config embedded default, clear failures that name the variable. */
describe('configuration', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'mira-config-'));
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      parseConfig(env, '1.0.0');
      return [];
    } catch (err) {
      if (err instanceof ConfigValidationError) return err.problems;
      throw err;
    }
  };

  it('starts with zero configuration: embedded database, port 8000, a generated secret kept on disk', () => {
    const dir = dataDir();
    const first = parseConfig({ DATA_DIR: dir }, '1.2.3');
    expect(first.port).toBe(8000);
    expect(first.database).toEqual({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    expect(first.jwt.secretSource).toBe('generated');
    expect(first.appVersion).toBe('1.2.3');
    expect(parseConfig({ DATA_DIR: dir }, '1.2.3').jwt.secret).toBe(first.jwt.secret);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://u:p@db:5432/mira', DATA_DIR: dataDir() }, '1.0.0');
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/mira', poolSize: 10 });
  });

  it('names every invalid variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      CORS_ORIGINS: 'not a url',
      JWT_SECRET: 'short',
      DATA_DIR: dataDir(),
    });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/CORS_ORIGINS/);
    expect(problems.join('\n')).toMatch(/JWT_SECRET/);
  });

  it('refuses to start in production without a database URL and secrets', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir() });
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL is required when NODE_ENV=production',
        'JWT_SECRET is required when NODE_ENV=production',
      ]),
    );
  });

  it('has no wildcard CORS by default in production', () => {
    const config = parseConfig(
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/mira',
        JWT_SECRET: 'x'.repeat(40),
        VOICEPRINT_KEY: Buffer.alloc(32, 1).toString('base64'),
        DATA_DIR: dataDir(),
      },
      '1.0.0',
    );
    expect(config.corsOrigins).toEqual([]);
  });
});
