import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { TokenService } from './token.service.js';

/** A verified access token is kept by its text: later checks skip the signature but never the expiry. */
describe('TokenService access tokens', () => {
  const config = AppConfig.fromEnvironment(
    {},
    {
      NODE_ENV: 'test',
      JWT_SECRET: 'unit-secret-that-is-long-enough-for-hs256-signing',
      JWT_ACCESS_TTL_SECONDS: '60',
    },
  );
  const realNow = Date.now;
  afterEach(() => {
    Date.now = realNow;
  });

  it('answers the same claims for a token checked again, and expired once its exp has passed', () => {
    const tokens = new TokenService(config);
    const userId = randomUUID();
    const { token } = tokens.signAccessToken(userId, randomUUID());
    const first = tokens.verifyAccessToken(token);
    expect(first).toMatchObject({ ok: true, claims: { sub: userId } });
    expect(tokens.verifyAccessToken(token)).toEqual(first);
    const now = realNow();
    Date.now = () => now + 61_000;
    expect(tokens.verifyAccessToken(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps nothing for a token that failed: a tampered copy of a kept token is still invalid', () => {
    const tokens = new TokenService(config);
    const { token } = tokens.signAccessToken(randomUUID(), randomUUID());
    expect(tokens.verifyAccessToken(token).ok).toBe(true);
    const [head, body, signature] = token.split('.') as [string, string, string];
    const tampered = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(tokens.verifyAccessToken(tampered)).toEqual({ ok: false, reason: 'invalid' });
    expect(tokens.verifyAccessToken(tampered)).toEqual({ ok: false, reason: 'invalid' });
  });
});
