import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import {
  createNetwork,
  registerClient,
  registerUser,
  startTestApp,
  TEST_JWT_SECRET,
  TestApp,
} from '../support/app.js';
import { waitFor } from '../support/wait.js';

/** The foundation every network stands on — health, docs, errors, auth, networks and their devices. */
describe('foundation (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('health and docs', () => {
    it('GET / names the API, its version and status', async () => {
      const res = await t.http().get('/').expect(200);
      expect(res.body).toEqual({
        message: 'Mira Backend API',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        status: 'running',
        stable: 'v1',
        beta: 'v2',
        mira_version: res.body.version,
        app_line: null,
      });
    });

    it('GET /health answers without touching anything else', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body.status).toBe('healthy');
      expect(new Date(res.body.timestamp).toISOString()).toBe(res.body.timestamp);
    });

    it('GET /health/detailed reports the database engine, version and uptime', async () => {
      const res = await t.http().get('/health/detailed').expect(200);
      expect(res.body.checks.database).toMatchObject({ status: 'healthy', engine: 'postgresql' });
      expect(typeof res.body.uptime).toBe('number');
    });

    it('serves Swagger UI, ReDoc (its script from this server, no internet needed) and the OpenAPI document with every route documented', async () => {
      await t.http().get('/docs').expect(200);
      const redoc = await t.http().get('/redoc').expect(200).expect('content-type', /html/);
      const scripts = [...redoc.text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts).toEqual(['/redoc/redoc.standalone.js']);
      expect(redoc.text).not.toMatch(/https?:\/\//);
      const bundle = await t
        .http()
        .get(scripts[0])
        .expect(200)
        .expect('content-type', /javascript/);
      expect(bundle.text.length).toBeGreaterThan(100_000);
      expect(bundle.text).toContain('Redoc');
      const spec = (await t.http().get('/openapi.json').expect(200)).body;
      expect(spec.openapi).toMatch(/^3\./);
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/auth/register',
          '/api/v2/auth/login',
          '/api/v1/networks',
          '/api/v1/{network_id}/service/client/register/{client_id}',
          '/api/v2/{network_id}/service/info',
        ]),
      );
      for (const [path, methods] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
        spec.paths,
      )) {
        for (const [method, op] of Object.entries(methods)) {
          const codes = Object.keys(op.responses);
          // a WebSocket path succeeds with 101 Switching Protocols, a browser sign-in step with 302 Found
          const success = (c: string) => c.startsWith('2') || c === '101' || c === '302';
          expect({ route: `${method} ${path}`, hasSuccess: codes.some(success) }).toEqual({
            route: `${method} ${path}`,
            hasSuccess: true,
          });
        }
      }
    });
  });

  describe('errors', () => {
    it('echoes X-Request-Id and puts it in the error body', async () => {
      const res = await t.http().get('/no/such/route').set('X-Request-Id', 'req-123').expect(404);
      expect(res.headers['x-request-id']).toBe('req-123');
      expect(res.body).toEqual({
        detail: expect.any(String),
        error_code: 'ROUTE_NOT_FOUND',
        timestamp: expect.stringMatching(/Z$/),
        request_id: 'req-123',
      });
    });

    it('generates a request id when none is given', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers malformed JSON with 400 MALFORMED_REQUEST', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send('{"email":')
        .expect(400);
      expect(res.body.error_code).toBe('MALFORMED_REQUEST');
    });

    it('answers validation failures with 422 naming each field', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send({ email: 'nope', password: 'short' })
        .expect(422);
      expect(res.body.error_code).toBe('VALIDATION_FAILED');
      expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'password']);
    });

    it('rejects unknown body properties instead of ignoring them', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send({ email: 'x@example.com', password: 'long enough pw', is_admin: true })
        .expect(422);
      expect(res.body.fields[0].field).toBe('is_admin');
    });
  });

  describe('auth', () => {
    it('registers, logs in and returns the current user', async () => {
      const session = await registerUser(t, 'Ada@Example.com');
      const login = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'ada@example.com', password: 'correct horse battery' })
        .expect(200);
      expect(login.body.token_type).toBe('bearer');
      expect(login.body.user.email).toBe('ada@example.com');
      const me = await t.http().get('/api/v1/auth/me').set(session.auth).expect(200);
      expect(me.body).toMatchObject({ id: session.userId, email: 'ada@example.com', is_active: true });
    });

    it('refuses a second account with the same e-mail (409)', async () => {
      await registerUser(t, 'dup@example.com');
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send({ email: 'DUP@example.com', password: 'another password' })
        .expect(409);
      expect(res.body.error_code).toBe('EMAIL_ALREADY_REGISTERED');
    });

    it('refuses a wrong password and an unknown e-mail with the same 401', async () => {
      await registerUser(t, 'pw@example.com');
      const wrong = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'pw@example.com', password: 'wrong!!!!' });
      const unknown = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'no@example.com', password: 'wrong!!!!' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
    });

    it('rotates refresh tokens and revokes the family when a used one is replayed', async () => {
      const session = await registerUser(t);
      const first = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refresh_token: session.refreshToken })
        .expect(200);
      await t
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${first.body.access_token}`)
        .expect(200);
      // Replaying the used token is treated as theft: it fails and the rotated token dies with it.
      await t.http().post('/api/v1/auth/refresh').send({ refresh_token: session.refreshToken }).expect(401);
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refresh_token: first.body.refresh_token })
        .expect(401);
    });

    it('logout revokes the refresh token', async () => {
      const session = await registerUser(t);
      await t.http().post('/api/v1/auth/logout').send({ refresh_token: session.refreshToken }).expect(204);
      await t.http().post('/api/v1/auth/refresh').send({ refresh_token: session.refreshToken }).expect(401);
    });

    it('rejects missing, forged, expired and wrong-type tokens with 401', async () => {
      const session = await registerUser(t);
      await t.http().get('/api/v1/auth/me').expect(401);
      const forged = jwt.sign({ typ: 'access' }, 'another-secret-of-sufficient-length-123456', {
        subject: session.userId,
        issuer: 'mira',
        expiresIn: 60,
      });
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
      const expired = jwt.sign({ typ: 'access', exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, {
        subject: session.userId,
        issuer: 'mira',
      });
      const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${expired}`).expect(401);
      expect(res.body.detail).toMatch(/expired/i);
      const noneAlg = jwt.sign({ typ: 'access', sub: session.userId, iss: 'mira' }, '', {
        algorithm: 'none',
      });
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${noneAlg}`).expect(401);
      await t
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${session.refreshToken}`)
        .expect(401);
    });
  });

  describe('networks and clients', () => {
    it('creates, lists, renames and deletes a network; v2 serves the same routes', async () => {
      const session = await registerUser(t);
      const id = await createNetwork(t, session, '  Home  ');
      const list = await t.http().get('/api/v1/networks').set(session.auth).expect(200);
      expect(list.body).toEqual([expect.objectContaining({ id, name: 'Home', service_enabled: true })]);
      const renamed = await t
        .http()
        .patch(`/api/v2/networks/${id}`)
        .set(session.auth)
        .send({ name: 'Flat' })
        .expect(200);
      expect(renamed.body.name).toBe('Flat');
      // A rename is validated like a creation (trimmed, 1-100 characters, text), and no field is required.
      for (const name of ['   ', 'x'.repeat(101), 5, null]) {
        const res = await t.http().patch(`/api/v1/networks/${id}`).set(session.auth).send({ name });
        expect(res.status).toBe(422);
        expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual(['name']);
      }
      const trimmed = await t
        .http()
        .patch(`/api/v1/networks/${id}`)
        .set(session.auth)
        .send({ name: '  Office ' })
        .expect(200);
      expect(trimmed.body.name).toBe('Office');
      await t.http().patch(`/api/v1/networks/${id}`).set(session.auth).send({}).expect(200);
      await t.http().delete(`/api/v1/networks/${id}`).set(session.auth).expect(204);
      await t.http().get(`/api/v1/networks/${id}`).set(session.auth).expect(404);
    });

    it("answers another user's network exactly like a missing one (404)", async () => {
      const owner = await registerUser(t);
      const stranger = await registerUser(t);
      const id = await createNetwork(t, owner);
      const foreign = await t.http().get(`/api/v1/${id}/service/info`).set(stranger.auth).expect(404);
      const missing = await t
        .http()
        .get('/api/v1/6f1d2c3b-0000-4000-8000-000000000000/service/info')
        .set(stranger.auth)
        .expect(404);
      expect(foreign.body.error_code).toBe(missing.body.error_code);
      expect(foreign.body.detail).toBe(missing.body.detail);
      await t.http().delete(`/api/v1/networks/${id}`).set(stranger.auth).expect(404);
      await t.http().get(`/api/v1/networks/${id}`).set(owner.auth).expect(200);
    });

    it("refuses a disabled user's token with 401 on network routes and user routes, before the network is looked at", async () => {
      const session = await registerUser(t);
      const id = await createNetwork(t, session);
      await t.http().get(`/api/v1/${id}/interactions`).set(session.auth).expect(200);
      await t.app.get(DataSource).query('UPDATE users SET is_active = false WHERE id = $1', [session.userId]);
      // an operator's SQL reaches the access cache by the database's notice, moments after the commit
      const own = await waitFor(
        async () => {
          const res = await t.http().get(`/api/v1/${id}/interactions`).set(session.auth);
          return res.status === 401 && res;
        },
        { what: 'the disabled user refused', timeoutMs: 30_000 },
      );
      expect(own.body.detail).toMatch(/the user is disabled/);
      await t
        .http()
        .get('/api/v1/6f1d2c3b-0000-4000-8000-000000000000/interactions')
        .set(session.auth)
        .expect(401);
      await t.http().get('/api/v1/not-a-uuid/interactions').set(session.auth).expect(401);
      await t.http().get('/api/v1/auth/me').set(session.auth).expect(401);
    });

    it('names a malformed network id in a 422', async () => {
      const session = await registerUser(t);
      const res = await t.http().get('/api/v1/not-a-uuid/service/info').set(session.auth).expect(422);
      expect(res.body.fields).toEqual([{ field: 'network_id', messages: ['network_id must be a UUID'] }]);
    });

    it('registers a device whose token works only in its own network, until it is deregistered', async () => {
      const session = await registerUser(t);
      const home = await createNetwork(t, session, 'Home');
      const office = await createNetwork(t, session, 'Office');
      const kitchen = await registerClient(t, session, home, 'kitchen');

      const info = await t.http().get(`/api/v1/${home}/service/info`).set(kitchen).expect(200);
      expect(info.body).toMatchObject({ network_id: home, name: 'Home', enabled: true, client_count: 1 });
      expect(info.body.clients[0]).toMatchObject({
        client_id: 'kitchen',
        last_seen_at: expect.stringMatching(/Z$/),
      });

      await t.http().get(`/api/v1/${office}/service/info`).set(kitchen).expect(404);
      // Devices cannot manage the network.
      await t.http().post(`/api/v1/${home}/service/client/register/rogue`).set(kitchen).expect(403);
      await t.http().get('/api/v1/networks').set(kitchen).expect(403);

      await t.http().post(`/api/v1/${home}/service/client/register/kitchen`).set(session.auth).expect(409);
      await t
        .http()
        .delete(`/api/v1/${home}/service/client/deregister/kitchen`)
        .set(session.auth)
        .expect(200);
      await t
        .http()
        .delete(`/api/v1/${home}/service/client/deregister/kitchen`)
        .set(session.auth)
        .expect(200);
      await t.http().get(`/api/v1/${home}/service/info`).set(kitchen).expect(401);
      await t.http().delete(`/api/v1/${home}/service/client/deregister/never`).set(session.auth).expect(404);
      // The name is free again: a new token is issued.
      await registerClient(t, session, home, 'kitchen');
    });

    it('validates client ids', async () => {
      const session = await registerUser(t);
      const home = await createNetwork(t, session);
      const res = await t
        .http()
        .post(`/api/v1/${home}/service/client/register/${'x'.repeat(65)}`)
        .set(session.auth)
        .expect(422);
      expect(res.body.fields[0].field).toBe('client_id');
    });

    it('switches the service off and on', async () => {
      const session = await registerUser(t);
      const home = await createNetwork(t, session);
      const off = await t.http().patch(`/api/v1/${home}/service/disable`).set(session.auth).expect(200);
      expect(off.body).toEqual({ message: 'Service disabled successfully', enabled: false });
      expect((await t.http().get(`/api/v1/${home}/service/info`).set(session.auth)).body.enabled).toBe(false);
      await t.http().patch(`/api/v1/${home}/service/enable`).set(session.auth).expect(200);
    });

    it('allows PATCH in CORS preflights', async () => {
      const res = await t
        .http()
        .options('/api/v1/networks')
        .set('Origin', 'http://localhost:5173')
        .set('Access-Control-Request-Method', 'PATCH')
        .expect(204);
      expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    });
  });
});
