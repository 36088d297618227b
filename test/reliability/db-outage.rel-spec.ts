import { startPostgres, type PostgresCluster } from '../support/postgres-harness.mjs';
import { registerClient, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { waitFor } from '../support/wait.js';

/** A request is "hung" when it takes longer than this; a bound that catches hangs, not a speed assertion. */
const HANG_BOUND_MS = 15_000;

interface Outcome {
  phase: 'before' | 'outage' | 'after';
  route: string;
  status: number;
  code?: string;
  retryAfter?: string;
  ms: number;
}

/**
 * PostgreSQL stops under load. The API answers 503 SERVICE_UNAVAILABLE with
 * Retry-After (never hangs, never 500), liveness stays up, and it recovers by itself when the database returns.
 * Runs on a DEDICATED cluster so stopping it cannot disturb other suites.
 */
describe('reliability: database outage under load', () => {
  let cluster: PostgresCluster;
  let t: TestApp;

  beforeAll(async () => {
    cluster = await startPostgres();
    t = await startTestApp(
      { DB_POOL_SIZE: '4', JOBS_POLL_INTERVAL_MS: '100' },
      { database: { url: cluster.url, name: 'postgres', drop: async () => undefined } },
    );
  });

  afterAll(async () => {
    await t?.close();
    cluster?.stop();
  });

  it('answers 503 with Retry-After while PostgreSQL is down, never 500 or a hang, and recovers without a restart', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'kitchen');
    let phase: Outcome['phase'] = 'before';
    const outcomes: Outcome[] = [];
    let running = true;
    let registered = 0;

    const call = async (
      route: string,
      run: () => Promise<{ status: number; body: { error_code?: string }; headers: Record<string, string> }>,
    ) => {
      const started = Date.now();
      const at = phase;
      const res = await run();
      outcomes.push({
        phase: at,
        route,
        status: res.status,
        code: res.body?.error_code,
        retryAfter: res.headers['retry-after'],
        ms: Date.now() - started,
      });
    };
    const worker = async (id: number) => {
      while (running) {
        await call('GET service/info (device)', () =>
          t.http().get(`/api/v1/${networkId}/service/info`).set(device).timeout(HANG_BOUND_MS),
        );
        await call('GET networks (user)', () =>
          t.http().get('/api/v1/networks').set(session.auth).timeout(HANG_BOUND_MS),
        );
        registered += 1;
        await call('POST client register (owner)', () =>
          t
            .http()
            .post(`/api/v1/${networkId}/service/client/register/w${id}-${registered}`)
            .set(session.auth)
            .timeout(HANG_BOUND_MS),
        );
        await call('POST auth/login (public)', () =>
          t
            .http()
            .post('/api/v1/auth/login')
            .send({ email: 'nobody@example.com', password: 'wrong password' })
            .timeout(HANG_BOUND_MS),
        );
      }
    };
    const workers = [0, 1, 2, 3].map((i) => worker(i));

    await waitFor(() => outcomes.filter((o) => o.phase === 'before').length >= 40, {
      what: 'load before outage',
    });
    phase = 'outage';
    cluster.pause();
    await waitFor(() => outcomes.filter((o) => o.phase === 'outage' && o.status === 503).length >= 40, {
      what: '503s during the outage',
      timeoutMs: 60_000,
    });
    // Liveness does not depend on the database; readiness reports it.
    await t.http().get('/health').expect(200);
    const detailed = await t.http().get('/health/detailed').timeout(HANG_BOUND_MS);
    expect(detailed.status).toBe(503);
    expect(detailed.body.checks.database.status).toBe('unhealthy');

    cluster.resume();
    phase = 'after';
    // Recovery by itself: the same process, no restart; every route class works again.
    await waitFor(
      async () => (await t.http().get(`/api/v1/${networkId}/service/info`).set(device)).status === 200,
      { what: 'recovery', timeoutMs: 60_000, intervalMs: 250 },
    );
    await waitFor(() => outcomes.filter((o) => o.phase === 'after' && o.status < 500).length >= 40, {
      what: 'load after recovery',
      timeoutMs: 60_000,
    });
    running = false;
    await Promise.all(workers);

    const during = outcomes.filter((o) => o.phase === 'outage');
    const unexpected = outcomes.filter(
      (o) =>
        o.status >= 500 && !(o.status === 503 && o.code === 'SERVICE_UNAVAILABLE' && o.retryAfter === '5'),
    );
    expect(unexpected).toEqual([]);
    expect(during.filter((o) => o.status === 503).length).toBeGreaterThanOrEqual(40);
    // Every route class failed over to 503 (the public login route included).
    expect(new Set(during.filter((o) => o.status === 503).map((o) => o.route)).size).toBe(4);
    const after = outcomes.filter((o) => o.phase === 'after');
    const lastOf = (route: string) => after.filter((o) => o.route === route).at(-1)?.status;
    expect(lastOf('GET service/info (device)')).toBe(200);
    expect(lastOf('GET networks (user)')).toBe(200);
    expect(lastOf('POST client register (owner)')).toBe(201);
    expect(lastOf('POST auth/login (public)')).toBe(401);
    await t.http().get('/health/detailed').expect(200);

    const worst = Math.max(...during.map((o) => o.ms));
    process.stderr.write(
      `[db-outage] ${outcomes.length} requests; during outage ${during.length} (503: ${during.filter((o) => o.status === 503).length}), slowest ${worst} ms\n`,
    );
  });
});
