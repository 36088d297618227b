import pg from 'pg';
import {
  createNetwork,
  registerClient,
  registerUser,
  startTestApp,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import { listOperations } from '../support/openapi.js';
import { attemptUpgrade, realtimeUrl } from '../support/realtime-client.js';
import { fillAny } from './routes.js';

/**
 * Rate-limit budgets per caller and per network with 429 + Retry-After, body caps
 * on every route, CORS allow-list with PATCH, security headers, Swagger UI off in production.
 */
describe('reliability: protections at the HTTP edge', () => {
  describe('security headers, CORS and docs (production settings)', () => {
    let prod: TestApp;
    let dev: TestApp;

    beforeAll(async () => {
      prod = await startTestApp({
        NODE_ENV: 'production',
        VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
        DOCS_ENABLED: 'false',
        CORS_ORIGINS: 'https://app.mira.example,https://dashboard.mira.example',
      });
      dev = await startTestApp({}, { database: prod.database });
    });

    afterAll(async () => {
      await dev?.close();
      await prod?.close();
    });

    it('every answer (success, 401, 404) carries nosniff, frame deny, no-referrer and a strict CSP; HSTS in production', async () => {
      for (const res of [
        await prod.http().get('/health').expect(200),
        await prod.http().get('/api/v1/networks').expect(401),
        await prod.http().get('/api/v1/nowhere').expect(404),
      ]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['content-security-policy']).toContain("default-src 'none'");
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
      // Not in development (no TLS in front of a laptop).
      const devRes = await dev.http().get('/health').expect(200);
      expect(devRes.headers['strict-transport-security']).toBeUndefined();
      expect(devRes.headers['x-content-type-options']).toBe('nosniff');
    });

    it('Swagger UI and ReDoc are off in production when DOCS_ENABLED=false, on in development with a CSP they can run under', async () => {
      const off = await prod.http().get('/docs').expect(404);
      expect(off.body.error_code).toBe('ROUTE_NOT_FOUND');
      await prod.http().get('/redoc').expect(404);
      const on = await dev.http().get('/docs/').redirects(1).expect(200);
      expect(on.text).toContain('swagger-ui');
      const csp = on.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      const redoc = await dev.http().get('/redoc').expect(200);
      expect(redoc.headers['content-security-policy']).toContain("script-src 'self'");
      expect(redoc.headers['content-security-policy']).not.toContain('https:');
    });

    it('CORS: an allowed origin may preflight PATCH and DELETE with Authorization (through the app base paths too); an unknown origin gets no CORS grant', async () => {
      const ok = await prod
        .http()
        .options('/api/v1/networks/00000000-0000-4000-8000-000000000000')
        .set('Origin', 'https://app.mira.example')
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.mira.example');
      expect(ok.headers['access-control-allow-methods']).toContain('PATCH');
      expect(ok.headers['access-control-allow-methods']).toContain('DELETE');
      expect(ok.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');

      // dadei's web build, served from its own origin, calls the account door through its base path.
      const web = await prod
        .http()
        .options('/apps/dadei/api/v1/service/network/enable')
        .set('Origin', 'https://app.mira.example')
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(web.status).toBe(204);
      expect(web.headers['access-control-allow-origin']).toBe('https://app.mira.example');
      const user = await registerUser(prod);
      const clients = await prod
        .http()
        .get('/apps/dadei/api/v1/service/clients')
        .set(user.auth)
        .set('Origin', 'https://app.mira.example')
        .expect(200);
      expect(clients.headers['access-control-allow-origin']).toBe('https://app.mira.example');

      const evil = await prod
        .http()
        .options('/api/v1/networks')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'PATCH');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
      const evilGet = await prod.http().get('/health').set('Origin', 'https://evil.example').expect(200);
      expect(evilGet.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('body size caps', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ JSON_BODY_LIMIT_BYTES: '2048' });
    });
    afterAll(async () => t.close());

    it('every route that takes a JSON body answers 413 PAYLOAD_TOO_LARGE above JSON_BODY_LIMIT_BYTES, and the server stays up', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const spec = (await t.http().get('/openapi.json').expect(200)).body;
      const routes = listOperations(spec).filter((r) => r.body !== null);
      expect(routes.length).toBeGreaterThanOrEqual(3);
      const big = { name: 'x'.repeat(4096), email: 'a@b.c', password: 'y'.repeat(4096) };
      for (const route of routes) {
        const res = await t
          .http()
          [route.method.toLowerCase() as 'post' | 'put' | 'patch'](
            fillAny(route.path, { network_id: networkId, client_id: 'kitchen' }),
          )
          .set(session.auth)
          .send(big);
        expect({
          route: `${route.key}`,
          status: res.status,
          code: res.body.error_code,
        }).toEqual({
          route: `${route.key}`,
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
        });
      }
      // Under the cap the same route works.
      await t.http().post('/api/v1/networks').set(session.auth).send({ name: 'small' }).expect(201);
      await t.http().get('/health').expect(200);
    });
  });

  describe('malformed text', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => t.close());

    it('a lone UTF-16 surrogate in a validated field is a 400 MALFORMED_REQUEST, not a 500 (found by the fuzzer)', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .set('content-type', 'application/json')
        .send('{"email":"\\udfff","password":"correct horse battery staple"}')
        .expect(400);
      expect(res.body.error_code).toBe('MALFORMED_REQUEST');
      await t.http().get('/health').expect(200);
    });

    it('null for a non-nullable field is a 422, not a NOT NULL 500 (found by the fuzzer)', async () => {
      const { session, networkId } = await userWithNetwork(t);
      for (const body of [{ service_enabled: null }, { name: null }]) {
        const res = await t
          .http()
          .patch(`/api/v1/networks/${networkId}`)
          .set(session.auth)
          .send(body)
          .expect(422);
        expect(res.body.error_code).toBe('VALIDATION_FAILED');
      }
      const after = await t.http().get(`/api/v1/networks/${networkId}`).set(session.auth).expect(200);
      expect(after.body.service_enabled).toBe(true);
    });
  });

  describe('rate limits (memory store)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_READ: '5',
        RATE_LIMIT_WRITE: '4',
        RATE_LIMIT_NETWORK_READ: '8',
        RATE_LIMIT_WINDOW_SECONDS: '3600',
      });
    });
    afterAll(async () => t.close());

    it('a caller over its read budget gets 429 RATE_LIMITED with Retry-After; its write budget and other callers are untouched', async () => {
      const a = await registerUser(t);
      const b = await registerUser(t);
      for (let i = 0; i < 5; i++) {
        const res = await t.http().get('/api/v1/networks').set(a.auth).expect(200);
        expect(res.headers['x-ratelimit-limit']).toBe('5');
        expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
      }
      const limited = await t.http().get('/api/v1/networks').set(a.auth).expect(429);
      expect(limited.body).toEqual({
        detail: expect.stringContaining('read'),
        error_code: 'RATE_LIMITED',
        timestamp: expect.any(String),
        request_id: expect.any(String),
      });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      // Separate budget: writes still go through.
      await t.http().post('/api/v1/networks').set(a.auth).send({ name: 'still-writes' }).expect(201);
      // Another caller has its own budget.
      await t.http().get('/api/v1/networks').set(b.auth).expect(200);
      // Health checks are exempt.
      await t.http().get('/health').expect(200);
    });

    it('a network has its own budget shared by its owner and devices: devices cannot multiply the quota', async () => {
      const owner = await registerUser(t);
      const networkId = await createNetwork(t, owner);
      const kitchen = await registerClient(t, owner, networkId, 'kitchen');
      const hall = await registerClient(t, owner, networkId, 'hall');
      const info = `/api/v1/${networkId}/service/info`;
      let ok = 0;
      let limitedBy: { status: number; code: string } | undefined;
      for (const auth of [owner.auth, kitchen, hall]) {
        for (let i = 0; i < 4; i++) {
          const res = await t.http().get(info).set(auth);
          if (res.status === 200) ok += 1;
          else limitedBy ??= { status: res.status, code: res.body.error_code };
        }
      }
      // 12 attempts by three callers, each under its own cap of 5: the network cap of 8 stops the rest.
      expect(ok).toBe(8);
      expect(limitedBy).toEqual({ status: 429, code: 'RATE_LIMITED' });
      // A different network is unaffected.
      const other = await userWithNetwork(t);
      await t.http().get(`/api/v1/${other.networkId}/service/info`).set(other.session.auth).expect(200);
    });
  });

  describe('rate limits for anonymous callers', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_WRITE: '3' });
    });
    afterAll(async () => t.close());

    it('anonymous callers are keyed by address; a forged X-Forwarded-For is ignored without TRUST_PROXY', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t
          .http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', `203.0.113.${i}`)
          .send({ email: 'nobody@example.com', password: 'wrong password' });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });
  });

  describe('rate limits behind a proxy and across instances', () => {
    let db: TestApp;
    let second: TestApp;
    beforeAll(async () => {
      const env = {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_STORE: 'postgres',
        RATE_LIMIT_READ: '4',
        RATE_LIMIT_WRITE: '3',
        TRUST_PROXY: '1',
      };
      db = await startTestApp(env);
      second = await startTestApp(env, { database: db.database });
    });
    afterAll(async () => {
      await second.close();
      await db.close();
    });

    it('with TRUST_PROXY=1 the client address is what the ALB appended to X-Forwarded-For, so clients behind it get separate budgets', async () => {
      // the ALB appends the address it saw; anything before it was written by the client
      const attempt = (ip: string) =>
        db
          .http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', `10.0.0.1, ${ip}`)
          .send({ email: 'nobody@example.com', password: 'wrong password' });
      for (let i = 0; i < 3; i++) expect((await attempt('198.51.100.7')).status).toBe(401);
      expect((await attempt('198.51.100.7')).status).toBe(429);
      expect((await attempt('198.51.100.8')).status).toBe(401);
    });

    it('refused socket upgrades on one instance count on the other: its upgrades from that address are 429', async () => {
      const bad = realtimeUrl(db.baseUrl, { token: 'not-a-token' });
      const from = { 'X-Forwarded-For': '10.0.0.1, 198.51.100.60' };
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const result = await attemptUpgrade(bad, from);
        codes.push('opened' in result ? (await result.opened.closed).code : result.refused.status);
      }
      expect(codes).toEqual([4001, 4001, 4001, 4001]);
      const elsewhere = await attemptUpgrade(realtimeUrl(second.baseUrl, { token: 'not-a-token' }), from);
      expect('refused' in elsewhere && elsewhere.refused.status).toBe(429);
    });

    it('the postgres store shares one budget across instances (the memory store would allow N×)', async () => {
      const user = await registerUser(db);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await db.http().get('/api/v1/networks').set(user.auth)).status);
        statuses.push((await second.http().get('/api/v1/networks').set(user.auth)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const client = new pg.Client({ connectionString: db.database.url });
      await client.connect();
      try {
        const rows = await client.query(`SELECT hits FROM rate_limit_counters WHERE key = $1`, [
          `read|user:${user.userId}`,
        ]);
        expect(rows.rows.map((r) => r.hits)).toEqual([6]);
      } finally {
        await client.end();
      }
    });
  });
});
