import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerClient, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { fuzzOpenApi } from '../support/openapi-fuzzer.js';
import type { OpenApiSpec } from '../support/openapi.js';

/** Requests per run: a few hundred here; the reliability suite sets MIRA_FUZZ_RUNS=5000. */
const RUNS = Number(process.env.MIRA_FUZZ_RUNS ?? 300);

/**
 * Mission: bad input is a clear 4xx, never a 500 or a crash. Random and malformed requests, generated from the
 * app's own /openapi.json, against the real app on loopback.
 */
describe('OpenAPI-driven fuzzing (fast-check)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it(`${RUNS} random and malformed requests over every documented route: no 5xx, no dropped connection`, async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body as OpenApiSpec;
    const { session, networkId } = await userWithNetwork(t);
    const other = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'fuzz-device');
    const post = async (path: string, body: object) =>
      (await t.http().post(`/api/v1/${networkId}${path}`).set(session.auth).send(body).expect(201)).body
        .id as string;
    const persons = [await post('/persons', { name: 'Fuzz' }), await post('/persons', {})];
    const conversations = [await post('/conversations', { title: 'Fuzz', participants: persons })];
    const interactions = [
      await post('/interactions', {
        interaction_type: 'text',
        content: 'fuzz',
        person_id: persons[0],
        conversation_id: conversations[0],
      }),
    ];

    const report = await fuzzOpenApi({
      baseUrl: t.baseUrl,
      spec,
      runs: RUNS,
      seed: process.env.MIRA_FUZZ_SEED ? Number(process.env.MIRA_FUZZ_SEED) : undefined,
      auths: [
        session.auth,
        session.auth,
        session.auth,
        session.auth,
        device,
        other.session.auth,
        {},
        { Authorization: 'Bearer nope' },
      ],
      knownIds: {
        network_id: [networkId],
        person_id: persons,
        participants: persons,
        conversation_id: conversations,
        interaction_id: interactions,
        client_id: ['fuzz-device'],
      },
      // Keep the network under test alive (its deletion is covered by the foundation tests).
      skip: (op) => op.method === 'DELETE' && op.path.endsWith('/networks/{network_id}'),
    });

    if (process.env.MIRA_FUZZ_VERBOSE === '1')
      console.log(JSON.stringify({ seed: report.seed, statuses: report.statuses }));
    expect({ seed: report.seed, failures: report.failures }).toEqual({ seed: report.seed, failures: [] });
    expect(report.requests).toBeGreaterThanOrEqual(RUNS);
    const count = (pred: (status: number) => boolean) =>
      Object.entries(report.statuses).reduce((n, [s, c]) => (pred(Number(s)) ? n + c : n), 0);
    // The run reached handlers (some successes) and validation (some 422s), not only the auth gate.
    expect(count((s) => s >= 200 && s < 300)).toBeGreaterThan(0);
    expect(count((s) => s === 422)).toBeGreaterThan(0);
  });

  it('reports 5xx answers with the request that caused them (the property can fail)', async () => {
    const server = createServer((req, res) => {
      res.statusCode = req.url?.includes('boom') ? 500 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const report = await fuzzOpenApi({
        baseUrl: `http://127.0.0.1:${port}`,
        spec: { paths: { '/boom/{id}': { get: { parameters: [{ name: 'id', in: 'path' }] } } } },
        runs: 5,
        seed: 1,
        auths: [{}],
        knownIds: {},
      });
      expect(report.failures.length).toBeGreaterThan(0);
      expect(report.failures[0]).toMatchObject({
        status: 500,
        request: { method: 'GET', url: expect.stringMatching(/^\/boom\//) },
      });
    } finally {
      server.close();
    }
  });

  it('refuses to fuzz anything but loopback', async () => {
    await expect(
      fuzzOpenApi({ baseUrl: 'http://example.com', spec: { paths: {} }, runs: 1, auths: [{}], knownIds: {} }),
    ).rejects.toThrow(/loopback/);
  });
});
