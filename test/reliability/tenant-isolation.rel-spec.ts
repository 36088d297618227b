import { startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import type { OpenApiSpec } from '../support/openapi.js';
import { runTenantMatrix, type Tenant } from '../support/tenant-matrix.js';
import '../support/tenant-fillers.js';

/**
 * The tenant-isolation matrix over every route stays green with every protection on
 * (rate limits at production-like budgets, security headers, audit). Reuses the domain API's generator: every
 * {network_id} route × {another network's real ids, random ids} → 404 and no table changes.
 */
describe('reliability: tenant isolation over every route (protections on)', () => {
  let t: TestApp;
  let spec: OpenApiSpec;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_READ: '100000',
      RATE_LIMIT_WRITE: '100000',
      RATE_LIMIT_NETWORK_READ: '100000',
      RATE_LIMIT_NETWORK_WRITE: '100000',
    });
    spec = (await t.http().get('/openapi.json').expect(200)).body;
    const ua = await userWithNetwork(t);
    const ub = await userWithNetwork(t);
    a = { networkId: ua.networkId, auth: ua.session.auth };
    b = { networkId: ub.networkId, auth: ub.session.auth };
  });

  afterAll(async () => t.close());

  it('every {network_id} route answers 404 for another tenant and changes nothing, the audit route included', async () => {
    const result = await runTenantMatrix({ t, spec, a, b });
    expect(result.failures).toEqual([]);
    expect(result.routes).toContain('GET /api/v1/{network_id}/audit');
    expect(result.routes).toContain('GET /api/v2/{network_id}/audit');
    expect(result.cases.length).toBeGreaterThanOrEqual(200);
  });
});
