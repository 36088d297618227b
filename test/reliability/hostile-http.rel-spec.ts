import fc from 'fast-check';
import { createPerson, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { listOperations, type OpenApiSpec } from '../support/openapi.js';
import { head, hostileRequestArbitrary, sendRaw } from '../support/raw-http.js';
import { toneWav } from '../support/speech.js';

const ERROR_BODY = {
  detail: expect.any(String),
  error_code: expect.any(String),
  timestamp: expect.any(String),
  request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
};

/**
 * Hostile input at the HTTP edge, each a finding of the attack on a fresh clone: JSON nested deep enough to
 * overflow the validators' stack (500 without a token), a body that trickles in for minutes, Node's own empty
 * 400/408/431 answers, bodies in a type no route reads (silently taken for "no fields"), integers written in hex
 * or with an exponent. Each is refused with the one error body; the generators in test/support (raw-http.ts, the
 * OpenAPI fuzzer's deep JSON, text/plain and not-decimal integers) keep the next variant covered.
 */
describe('reliability: hostile input at the HTTP edge', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof userWithNetwork>>;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' });
    owner = await userWithNetwork(t);
  });

  afterAll(async () => t.close());

  it('JSON nested 2,000 levels deep is 400 MALFORMED_REQUEST on login, refresh and persons, never a 500', async () => {
    const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
    const deepObject = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
    const cases = [
      { path: '/api/v1/auth/login', body: `{"email":${deep},"password":"x"}`, auth: {} },
      { path: '/api/v1/auth/refresh', body: `{"refresh_token":${deepObject}}`, auth: {} },
      {
        path: `/api/v1/${owner.networkId}/persons`,
        body: `{"name":"a","metadata":${deepObject}}`,
        auth: owner.session.auth,
      },
    ];
    for (const c of cases) {
      const res = await t
        .http()
        .post(c.path)
        .set(c.auth)
        .set('content-type', 'application/json')
        .send(c.body);
      expect({ path: c.path, status: res.status, body: res.body }).toEqual({
        path: c.path,
        status: 400,
        body: { ...ERROR_BODY, error_code: 'MALFORMED_REQUEST' },
      });
    }
    // the bound is far above what real bodies nest: a person with 8-level metadata is still created
    const nested = { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    await t
      .http()
      .post(`/api/v1/${owner.networkId}/persons`)
      .set(owner.session.auth)
      .send({ name: 'n', metadata: nested })
      .expect(201);
  });

  it('an anonymous login body that trickles in is cut off at HTTP_REQUEST_TIMEOUT_MS with 408 and the error body', async () => {
    const answer = await sendRaw(t.baseUrl, [
      { data: head('POST', '/api/v1/auth/login', ['Content-Type: application/json', 'Content-Length: 400']) },
      ...Array.from({ length: 40 }, () => ({ data: ' ', pauseMs: 250 })),
    ]);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({ ...ERROR_BODY, error_code: 'REQUEST_TIMEOUT' });
    expect(answer.headers['x-request-id']).toBe(JSON.parse(answer.body).request_id);
    expect(answer.closed).toBe(true);
  });

  it('headers that never end are cut off at HTTP_HEADERS_TIMEOUT_MS with 408 and the error body', async () => {
    const answer = await sendRaw(t.baseUrl, [{ data: 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' }]);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({ ...ERROR_BODY, error_code: 'REQUEST_TIMEOUT' });
  });

  it("Node's own 431 and 400 answers carry the error body with a request id, not an empty body", async () => {
    const large = await sendRaw(t.baseUrl, [
      { data: head('GET', '/health', [`X-Big: ${'a'.repeat(20_000)}`]) },
    ]);
    expect(large.status).toBe(431);
    expect(JSON.parse(large.body)).toEqual({ ...ERROR_BODY, error_code: 'HEADERS_TOO_LARGE' });
    expect(large.headers['content-type']).toContain('application/json');
    const garbage = await sendRaw(t.baseUrl, [{ data: 'GARBAGE\r\n\r\n' }]);
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toEqual({ ...ERROR_BODY, error_code: 'MALFORMED_REQUEST' });
    await t.http().get('/health').expect(200);
  });

  it('property: requests refused before the app (oversized, malformed, unfinished) all get the error body', async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        hostileRequestArbitrary(['/health', '/api/v1/networks', '/api/v1/auth/login']),
        async (req) => {
          const answer = await sendRaw(t.baseUrl, req.parts);
          seen[`${req.kind} ${answer.status}`] = (seen[`${req.kind} ${answer.status}`] ?? 0) + 1;
          if (!req.statuses.includes(answer.status) || !answer.closed) return false;
          const body = JSON.parse(answer.body) as Record<string, unknown>;
          return typeof body['error_code'] === 'string' && typeof body['request_id'] === 'string';
        },
      ),
      { numRuns: 40 },
    );
    process.stderr.write(`[hostile-http] ${JSON.stringify(seen)}\n`);
    await t.http().get('/health').expect(200);
  });

  it('a text/plain (or any unread) body is 415 UNSUPPORTED_MEDIA_TYPE: POST /persons creates no nameless person', async () => {
    const persons = `/api/v1/${owner.networkId}/persons`;
    const before = (await t.http().get(persons).set(owner.session.auth).expect(200)).body.length;
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const res = await t
        .http()
        .post(persons)
        .set(owner.session.auth)
        .set('content-type', type)
        .send('name=Eve');
      expect({ type, status: res.status, body: res.body }).toEqual({
        type,
        status: 415,
        body: { ...ERROR_BODY, error_code: 'UNSUPPORTED_MEDIA_TYPE' },
      });
    }
    expect((await t.http().get(persons).set(owner.session.auth).expect(200)).body.length).toBe(before);
    // JSON and URL-encoded forms are read as before; an upload route takes multipart only
    await t.http().post(persons).set(owner.session.auth).send({ name: 'Json' }).expect(201);
    await t.http().post(persons).set(owner.session.auth).type('form').send('name=Form').expect(201);
    const personId = await createPerson(t, owner.session.auth, owner.networkId, 'Voice');
    const asJson = await t
      .http()
      .post(`/api/v1/${owner.networkId}/persons/${personId}/voice`)
      .set(owner.session.auth)
      .send({ audio_file: toneWav(1, 0.3).toString('base64') });
    expect([asJson.status, asJson.body.error_code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('OpenAPI documents the edge answers: 408 and 431 everywhere, 429 where limited, 415 and 400 for bodies', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body as OpenApiSpec;
    const operations = listOperations(spec);
    const missing = (ops: typeof operations, status: string) =>
      ops.filter((op) => !op.responses.includes(status)).map((op) => `${status} ${op.key}`);
    const withBody = operations.filter((op) => op.body !== null || op.consumesMultipart);
    expect(withBody.length).toBeGreaterThan(5);
    const exempt = ['GET /', 'GET /health', 'GET /health/detailed', 'GET /metrics'];
    const limited = operations.filter((op) => !exempt.includes(op.key));
    expect([
      ...missing(operations, '408'),
      ...missing(operations, '431'),
      ...missing(limited, '429'),
      ...missing(withBody, '415'),
      ...missing(
        withBody.filter((op) => !op.consumesMultipart),
        '400',
      ),
    ]).toEqual([]);
    // the health checks the load balancer polls are exempt from rate limits, and say so
    expect(spec.paths['/health']?.get?.responses?.['429']).toBeUndefined();
  });

  it('query integers are decimal digits only: limit=0x10, +5, 1e3, " 5", 5.0 are 422; limit=16 works', async () => {
    const persons = `/api/v1/${owner.networkId}/persons`;
    for (const value of ['0x10', '+5', '1e3', ' 5', '5.0', '0b11']) {
      const res = await t.http().get(persons).query({ limit: value }).set(owner.session.auth);
      expect({ value, status: res.status, code: res.body.error_code }).toEqual({
        value,
        status: 422,
        code: 'VALIDATION_FAILED',
      });
    }
    for (const value of ['1e3', '0x10']) {
      const res = await t.http().get(persons).query({ offset: value }).set(owner.session.auth);
      expect(res.status).toBe(422);
    }
    await t.http().get(persons).query({ limit: '16', offset: '0' }).set(owner.session.auth).expect(200);
  });
});
