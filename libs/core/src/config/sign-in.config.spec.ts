import { parseSignInConfig } from './sign-in.config.js';

function parse(env: Record<string, string>, isProduction = false) {
  const problems: string[] = [];
  const str = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const int = (name: string, fallback: number) => (str(name) === undefined ? fallback : Number(str(name)));
  return { values: parseSignInConfig(str, int, problems, { isProduction }), problems };
}

describe('sign-in configuration', () => {
  it('is off without client ids, with port 4280 and no web origins by default', () => {
    const { values, problems } = parse({});
    expect(problems).toEqual([]);
    expect(values.google).toBeUndefined();
    expect(values.github).toBeUndefined();
    expect(values.redirectPorts).toEqual([4280]);
    expect(values.spaOrigins).toEqual([]);
    expect(values.stateTtlSeconds).toBe(600);
  });

  it('switches Google on with its pair and uses the web client for the desktop unless told otherwise', () => {
    const { values, problems } = parse({ GOOGLE_CLIENT_ID: 'web', GOOGLE_CLIENT_SECRET: 's' });
    expect(problems).toEqual([]);
    expect(values.google).toMatchObject({
      issuer: 'https://accounts.google.com',
      clientId: 'web',
      desktopClientId: 'web',
      desktopClientSecret: 's',
    });
  });

  it('refuses half pairs, GitHub or web origins without PUBLIC_BASE_URL, and bad ports or origins', () => {
    const { problems } = parse({
      GOOGLE_CLIENT_ID: 'web',
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: 'x',
      OAUTH_SPA_ORIGINS: 'https://ok.example,https://ok.example/path,notaurl',
      OAUTH_REDIRECT_PORTS: '4280,80,abc',
    });
    expect(problems.join('\n')).toMatch(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/);
    expect(problems.join('\n')).toMatch(/GITHUB_CLIENT_ID needs PUBLIC_BASE_URL/);
    expect(problems.join('\n')).toMatch(/OAUTH_SPA_ORIGINS needs PUBLIC_BASE_URL/);
    expect(problems.filter((p) => p.includes('invalid origin'))).toHaveLength(2);
    expect(problems.filter((p) => p.includes('OAUTH_REDIRECT_PORTS'))).toHaveLength(2);
  });

  it('wants https in production except on loopback', () => {
    const { problems } = parse(
      {
        PUBLIC_BASE_URL: 'http://mira.example.com',
        GOOGLE_ISSUER: 'http://127.0.0.1:9000',
        OAUTH_SPA_ORIGINS: 'http://app.example.com',
      },
      true,
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/PUBLIC_BASE_URL must use https/);
    expect(problems.join('\n')).toMatch(/OAUTH_SPA_ORIGINS must use https/);
  });
});
