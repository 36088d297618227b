import { startTestApp, TestApp } from '../support/app.js';
import { countStatuses, fuzzWithFixture } from '../support/fuzz-fixture.js';

/** At least 5,000 requests; MIRA_FUZZ_RUNS overrides (e.g. to replay a failure quickly). */
const RUNS = Number(process.env.MIRA_FUZZ_RUNS ?? 5000);

/**
 * At least 5,000 random and malformed requests generated from /openapi.json (the
 * domain API's fast-check fuzzer), with every protection on; no 5xx, no dropped connection, the server stays up.
 */
describe('reliability: OpenAPI-driven fuzzing at scale', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ENABLED: 'true',
      // Budgets high enough that the fuzzer reaches the handlers, low enough to be exercised on the way.
      RATE_LIMIT_READ: '50000',
      RATE_LIMIT_WRITE: '50000',
      RATE_LIMIT_NETWORK_READ: '50000',
      RATE_LIMIT_NETWORK_WRITE: '50000',
    });
  });

  afterAll(async () => t.close());

  it(`${RUNS} random and malformed requests over every route: no 5xx, connections survive, health stays green`, async () => {
    expect(RUNS).toBeGreaterThanOrEqual(process.env.MIRA_FUZZ_RUNS ? 1 : 5000);
    const { report, session, networkId } = await fuzzWithFixture(t, RUNS);

    process.stderr.write(
      `[fuzz] seed ${report.seed}, ${report.requests} requests, statuses ${JSON.stringify(report.statuses)}\n`,
    );
    if (report.failures.length)
      process.stderr.write(`[fuzz] failures ${JSON.stringify(report.failures.slice(0, 3), null, 1)}\n`);
    expect({ seed: report.seed, failures: report.failures.slice(0, 5) }).toEqual({
      seed: report.seed,
      failures: [],
    });
    expect(report.requests).toBeGreaterThanOrEqual(RUNS);
    const count = (pred: (status: number) => boolean) => countStatuses(report, pred);
    expect(count((s) => s >= 200 && s < 300)).toBeGreaterThan(0);
    expect(count((s) => s === 422)).toBeGreaterThan(0);
    expect(count((s) => s === 401)).toBeGreaterThan(0);
    // Still up and still serving real work.
    await t.http().get('/health').expect(200);
    await t.http().get('/health/detailed').expect(200);
    await t.http().get(`/api/v1/${networkId}/service/info`).set(session.auth).expect(200);
  });
});
