import jwt from 'jsonwebtoken';
import pg from 'pg';
import {
  registerClient,
  registerUser,
  startTestApp,
  TEST_JWT_SECRET,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import type { OpenApiSpec } from '../support/openapi.js';
import { fillAny, operationsWithRules, type RuledOperation } from './routes.js';

/**
 * Expired, forged, revoked and cross-network tokens on every route class (user routes, network routes, account-door
 * routes, owner-only routes, device tokens). The route table and each route's access rule are read from
 * the running app, so new routes are covered automatically.
 */
describe('reliability: token abuse on every route', () => {
  let t: TestApp;
  let routes: RuledOperation[];
  let a: Awaited<ReturnType<typeof userWithNetwork>>;
  let b: Awaited<ReturnType<typeof userWithNetwork>>;
  let deviceA: { Authorization: string };
  let deviceB: { Authorization: string };
  let revokedDevice: { Authorization: string };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    a = await userWithNetwork(t);
    b = await userWithNetwork(t);
    deviceA = await registerClient(t, a.session, a.networkId, 'kitchen');
    deviceB = await registerClient(t, b.session, b.networkId, 'kitchen');
    revokedDevice = await registerClient(t, a.session, a.networkId, 'old-speaker');
    await t
      .http()
      .delete(`/api/v1/${a.networkId}/service/client/deregister/old-speaker`)
      .set(a.session.auth)
      .expect(200);
    const spec = (await t.http().get('/openapi.json').expect(200)).body;
    routes = operationsWithRules(t.app, spec as OpenApiSpec);
  });

  afterAll(async () => t.close());

  const send = (route: RuledOperation, networkId: string, auth?: Record<string, string>) => {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const req = t.http()[method](fillAny(route.path, { network_id: networkId, client_id: 'kitchen' }));
    if (auth) req.set(auth);
    return route.body ? req.send({}) : req;
  };

  it('the route table covers every access class', () => {
    const rules = new Set(routes.map((r) => r.rule));
    expect([...rules].sort()).toEqual([
      'account',
      'account-owner',
      'network',
      'network-owner',
      'operator',
      'public',
      'user',
    ]);
  });

  it('missing, expired, forged, tampered, alg=none, refresh-as-access, unknown-user and revoked-device tokens get 401 on every secured route', async () => {
    const expired = jwt.sign({ typ: 'access' }, TEST_JWT_SECRET, {
      subject: a.session.userId,
      issuer: 'mira',
      expiresIn: -60,
      jwtid: 'x',
    });
    const forged = jwt.sign({ typ: 'access' }, 'an-attacker-secret-that-is-long-enough-to-sign', {
      subject: a.session.userId,
      issuer: 'mira',
      expiresIn: 600,
    });
    const [header, payload, signature] = a.session.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: b.session.userId })).toString('base64url')}.${signature}`;
    const algNone = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const wrongIssuer = jwt.sign({ typ: 'access' }, TEST_JWT_SECRET, {
      subject: a.session.userId,
      issuer: 'someone-else',
      expiresIn: 600,
    });
    const ghost = jwt.sign({ typ: 'access' }, TEST_JWT_SECRET, {
      subject: '00000000-0000-4000-8000-000000000000',
      issuer: 'mira',
      expiresIn: 600,
    });
    const abusive: Record<string, Record<string, string> | undefined> = {
      missing: undefined,
      'not bearer': { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      expired: bearer(expired),
      forged: bearer(forged),
      tampered: bearer(tampered),
      'alg none': bearer(algNone),
      'wrong issuer': bearer(wrongIssuer),
      'unknown user': bearer(ghost),
      'refresh token': bearer(a.session.refreshToken),
      'revoked device': revokedDevice,
      'made-up device': bearer('mira_ct_' + 'A'.repeat(43)),
    };
    // operator routes take the operator token, not a user's (hostile-access.rel-spec.ts covers them)
    const secured = routes.filter((r) => r.rule !== 'public' && r.rule !== 'operator');
    expect(secured.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const route of secured) {
      for (const [kind, auth] of Object.entries(abusive)) {
        const res = await send(route, a.networkId, auth);
        if (res.status !== 401 || res.body.error_code !== 'UNAUTHENTICATED')
          failures.push(`${kind} ${route.key} -> ${res.status} ${res.body.error_code}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("cross-network: another user's or another network's device token on network routes answers 404 NETWORK_NOT_FOUND, with no side effects", async () => {
    const networkRoutes = routes.filter((r) => r.rule === 'network' || r.rule === 'network-owner');
    expect(networkRoutes.length).toBeGreaterThan(3);
    const failures: string[] = [];
    for (const route of networkRoutes) {
      for (const [kind, auth] of [
        ['user B', b.session.auth],
        ['device of B', deviceB],
      ] as const) {
        const res = await send(route, a.networkId, auth);
        // A device of B on an owner-only route of A: the network check comes first (404, never 403).
        if (res.status !== 404 || res.body.error_code !== 'NETWORK_NOT_FOUND')
          failures.push(`${kind} ${route.key} -> ${res.status} ${res.body.error_code}`);
      }
    }
    expect(failures).toEqual([]);
    // Network A and its device are untouched.
    await t.http().get(`/api/v1/networks/${a.networkId}`).set(a.session.auth).expect(200);
    const info = (await t.http().get(`/api/v1/${a.networkId}/service/info`).set(deviceA).expect(200)).body;
    expect(info.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['kitchen']);
  });

  it("cross-account: another user's or another network's device token naming A's network at the account door answers 404, with no side effects", async () => {
    const accountRoutes = routes.filter((r) => r.rule === 'account' || r.rule === 'account-owner');
    expect(accountRoutes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const route of accountRoutes) {
      for (const [kind, auth] of [
        ['user B', b.session.auth],
        ['device of B', deviceB],
      ] as const) {
        const res = await send(route, a.networkId, { ...auth, 'X-Network-Id': a.networkId });
        if (res.status !== 404 || res.body.error_code !== 'NETWORK_NOT_FOUND')
          failures.push(`${kind} ${route.key} -> ${res.status} ${res.body.error_code}`);
      }
    }
    expect(failures).toEqual([]);
    const info = (await t.http().get(`/api/v1/${a.networkId}/service/info`).set(deviceA).expect(200)).body;
    expect(info.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['kitchen']);
  });

  it('device tokens: 403 on user routes and on owner-only routes of their own network', async () => {
    const failures: string[] = [];
    const ownerOnly = new Set(['user', 'network-owner', 'account-owner']);
    for (const route of routes.filter((r) => ownerOnly.has(r.rule))) {
      const res = await send(route, a.networkId, deviceA);
      if (res.status !== 403 || res.body.error_code !== 'FORBIDDEN')
        failures.push(`${route.key} -> ${res.status} ${res.body.error_code}`);
    }
    expect(failures).toEqual([]);
    // And they still work on plain network routes of their own network.
    await t.http().get(`/api/v1/${a.networkId}/service/info`).set(deviceA).expect(200);
  });

  it('a token stops working the moment its device is revoked or its user disabled', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'bedroom');
    await t.http().get(`/api/v1/${networkId}/service/info`).set(device).expect(200);
    await t
      .http()
      .delete(`/api/v1/${networkId}/service/client/deregister/bedroom`)
      .set(session.auth)
      .expect(200);
    await t.http().get(`/api/v1/${networkId}/service/info`).set(device).expect(401);

    const user = await registerUser(t);
    await t.http().get('/api/v1/networks').set(user.auth).expect(200);
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query(`UPDATE users SET is_active = false WHERE id = $1`, [user.userId]);
    } finally {
      await client.end();
    }
    await t.http().get('/api/v1/networks').set(user.auth).expect(401);
  });
});
