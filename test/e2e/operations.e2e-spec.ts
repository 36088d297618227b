import { MetricNames, ShutdownCoordinator } from '@mira/core';
import { startTestApp, TestApp, userWithNetwork } from '../support/app.js';

/** Prometheus metrics and the load balancer's view of a draining instance. */
describe('operations: /metrics and draining (real HTTP, real PostgreSQL)', () => {
  describe('/metrics without a token', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('serves Prometheus text outside /api with request durations labelled by route pattern, never raw ids', async () => {
      const { session, networkId } = await userWithNetwork(t);
      await t.http().get(`/api/v1/networks/${networkId}`).set(session.auth).expect(200);
      await t.http().get('/api/v1/no-such-route').expect(404);
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = res.text;
      expect(body).toMatch(
        new RegExp(
          `${MetricNames.httpRequestDuration}_count\\{method="GET",route="/api/v1/networks/:network_id",status="200"\\} 1`,
        ),
      );
      expect(body).toMatch(
        new RegExp(
          `${MetricNames.httpRequestDuration}_count\\{method="POST",route="[^"]*auth/register",status="201"\\}`,
        ),
      );
      // A 404 is labelled by the catch-all pattern, never by the raw path (bounded label values).
      expect(body).toMatch(
        new RegExp(`${MetricNames.httpRequestDuration}_count\\{method="GET",route="[^"]*",status="404"\\} 1`),
      );
      expect(body).not.toContain('no-such-route');
      expect(body).not.toContain(networkId);
      expect(body).toContain('process_resident_memory_bytes');
      expect(body).toContain(`${MetricNames.draining} 0`);
      expect(body).toMatch(new RegExp(`${MetricNames.httpRequestsInFlight} 1`)); // the scrape itself
    });

    it('is not under /api', async () => {
      await t.http().get('/api/v1/metrics').expect(404);
    });
  });

  describe('/metrics and /health/detailed with METRICS_TOKEN', () => {
    let t: TestApp;
    const token = 'metrics-token-0123456789';
    beforeAll(async () => {
      t = await startTestApp({ METRICS_TOKEN: token });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers 401 without the token or with a wrong one, 200 with it; /health stays public', async () => {
      const missing = await t.http().get('/metrics').expect(401);
      expect(missing.body.error_code).toBe('UNAUTHENTICATED');
      await t.http().get('/metrics').set('Authorization', 'Bearer metrics-token-wrong-value').expect(401);
      const ok = await t.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
      expect(ok.text).toContain(MetricNames.httpRequestDuration);
      await t.http().get('/health/detailed').expect(401);
      await t.http().get('/health/detailed').set('Authorization', `Bearer ${token}`).expect(200);
      await t.http().get('/health').expect(200);
    });
  });

  describe('draining', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('GET /health answers 503 "draining" once shutdown began, and responses close their connection', async () => {
      await t.http().get('/health').expect(200);
      t.app.get(ShutdownCoordinator).beginDrain();
      const res = await t.http().get('/health').expect(503);
      expect(res.body.status).toBe('draining');
      expect(res.headers.connection).toBe('close');
      const metrics = await t.http().get('/metrics').expect(200);
      expect(metrics.text).toContain(`${MetricNames.draining} 1`);
    });
  });
});
