import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, parseConfig } from './config.schema.js';

/** Boot-time configuration — zero-config embedded default, clear failures that name the variable. */
describe('configuration', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'mira-config-'));
  /** The least a production deployment must set. */
  const production = () => ({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/mira',
    JWT_SECRET: 'x'.repeat(40),
    VOICEPRINT_KEY: Buffer.alloc(32, 1).toString('base64'),
    DATA_DIR: dataDir(),
  });
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
    const config = parseConfig(production(), '1.0.0');
    expect(config.corsOrigins).toEqual([]);
  });

  it('TRUST_PROXY is a number of proxy hops (the ALB is 1; true means 1, false 0); anything else is refused', () => {
    const hops = (value: string) =>
      parseConfig({ TRUST_PROXY: value, DATA_DIR: dataDir() }, '1').trustProxyHops;
    expect([hops('1'), hops('true'), hops('false'), hops('0'), hops('2')]).toEqual([1, 1, 0, 0, 2]);
    expect(parseConfig({ DATA_DIR: dataDir() }, '1').trustProxyHops).toBe(0);
    expect(problemsOf({ TRUST_PROXY: 'all', DATA_DIR: dataDir() }).join()).toMatch(/TRUST_PROXY/);
    expect(problemsOf({ TRUST_PROXY: '11', DATA_DIR: dataDir() }).join()).toMatch(/TRUST_PROXY/);
  });

  it('bounds header and request times (headers within the request bound) and closes operator endpoints in production', () => {
    const config = parseConfig({ DATA_DIR: dataDir() }, '1');
    expect(config.http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000 });
    expect(config.opsEndpointsPublic).toBe(true);
    const problems = problemsOf({
      HTTP_HEADERS_TIMEOUT_MS: '30000',
      HTTP_REQUEST_TIMEOUT_MS: '20000',
      DATA_DIR: dataDir(),
    });
    expect(problems).toEqual(['HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS']);
    expect(parseConfig(production(), '1.0.0').opsEndpointsPublic).toBe(false);
  });
});
