import { createHmac } from 'node:crypto';
import fc from 'fast-check';

/** An HS256 JWT over any payload, odd claim types included (jsonwebtoken refuses to sign those). */
export function signRaw(payload: Record<string, unknown>, secret: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** What a real access token of a live session carries (see TokenService.signAccessToken). */
export interface GenuineClaims {
  sub: string;
  sid: string;
}

/**
 * fast-check generator of access tokens signed with the server's real key (as if it had leaked) but incomplete or
 * odd in one or more ways: no expiry, a non-UUID or foreign subject, a missing or unknown session, the wrong type,
 * claims of the wrong JSON type, a future not-before, a far-future expiry on a session that is no longer open. The
 * property over these: every one answers 401 on every secured route, none 400 or 2xx.
 */
export function forgedTokenArbitrary(
  secret: string,
  genuine: GenuineClaims,
  closedSession: GenuineClaims,
): fc.Arbitrary<{ kind: string; token: string }> {
  const now = () => Math.floor(Date.now() / 1000);
  type Claims = Record<string, unknown>;
  const base = (): Claims => ({
    typ: 'access',
    sub: genuine.sub,
    sid: genuine.sid,
    iss: 'mira',
    iat: now(),
    exp: now() + 600,
  });
  const variants: Array<[string, fc.Arbitrary<Claims>]> = [
    ['no exp', fc.constant(null).map(() => ({ ...base(), exp: undefined }))],
    [
      'sub not a uuid',
      fc
        .oneof(fc.string({ maxLength: 40 }), fc.constantFrom("' OR 1=1 --", '0', 'null', 'x'.repeat(300)))
        .map((sub) => ({ ...base(), sub })),
    ],
    ['sub of nobody', fc.uuid().map((sub) => ({ ...base(), sub }))],
    ['no sid', fc.constant(null).map(() => ({ ...base(), sid: undefined }))],
    ['sid not a uuid', fc.string({ maxLength: 40 }).map((sid) => ({ ...base(), sid }))],
    ['sid of no session', fc.uuid().map((sid) => ({ ...base(), sid }))],
    [
      'session closed',
      fc.constant(null).map(() => ({ ...base(), ...closedSession, exp: now() + 86_400 * 365 })),
    ],
    [
      'claims of the wrong type',
      fc
        .constantFrom<Claims>(
          { sub: 42 },
          { sub: [] },
          { sid: {} },
          { typ: 'refresh' },
          { typ: null },
          { exp: '9999999999' },
        )
        .map((odd) => ({ ...base(), ...odd })),
    ],
    [
      'not yet valid',
      fc.integer({ min: 120, max: 86_400 }).map((ahead) => ({ ...base(), nbf: now() + ahead })),
    ],
  ];
  return fc.oneof(
    ...variants.map(([kind, claims]) =>
      claims.map((c) => {
        const payload = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
        return { kind, token: signRaw(payload, secret) };
      }),
    ),
  );
}

/**
 * fast-check generator of X-Forwarded-For chains a client can send through one trusted proxy (the ALB appends the
 * address it saw last): any number of made-up entries in front, in IPv4, IPv6 or garbage form. With TRUST_PROXY=1
 * the client address is what the proxy appended, whatever comes before it.
 */
export function forgedForwardedForArbitrary(): fc.Arbitrary<string[]> {
  const entry = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.constantFrom('unknown', '127.0.0.1', '10.0.0.1', '::1', '', 'not-an-ip'),
  );
  return fc.array(entry, { minLength: 1, maxLength: 5 });
}
