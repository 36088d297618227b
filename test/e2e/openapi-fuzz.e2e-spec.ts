import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../support/app.js';
import { countStatuses, fuzzWithFixture } from '../support/fuzz-fixture.js';
import { fuzzOpenApi } from '../support/openapi-fuzzer.js';

/** Requests per run: a few hundred here; the reliability suite sets MIRA_FUZZ_RUNS=5000. */
const RUNS = Number(process.env.MIRA_FUZZ_RUNS ?? 300);

/**
 * Bad input is a clear 4xx, never a 500 or a crash. Random and malformed requests, generated from the
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
    const { report } = await fuzzWithFixture(t, RUNS);

    if (process.env.MIRA_FUZZ_VERBOSE === '1')
      console.log(JSON.stringify({ seed: report.seed, statuses: report.statuses }));
    expect({ seed: report.seed, failures: report.failures }).toEqual({ seed: report.seed, failures: [] });
    expect(report.requests).toBeGreaterThanOrEqual(RUNS);
    const count = (pred: (status: number) => boolean) => countStatuses(report, pred);
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
