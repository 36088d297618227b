import { DataSource } from 'typeorm';
import { startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import type { OpenApiSpec } from '../support/openapi.js';
import { registerIdFiller, runTenantMatrix, type Tenant } from '../support/tenant-matrix.js';
import '../support/tenant-fillers.js';

/**
 * Tenant isolation. Every route with {network_id}, and every account-door route (by its X-Network-Id header),
 * generated from /openapi.json, × {another network's real id, a random id} answers 404 and changes nothing (routes
 * added later are covered automatically).
 */
describe('tenant-isolation matrix (generated from /openapi.json)', () => {
  let t: TestApp;
  let spec: OpenApiSpec;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    spec = (await t.http().get('/openapi.json').expect(200)).body;
    const ua = await userWithNetwork(t);
    const ub = await userWithNetwork(t);
    a = { networkId: ua.networkId, auth: ua.session.auth };
    b = { networkId: ub.networkId, auth: ub.session.auth };
  });

  afterAll(async () => {
    await t.close();
  });

  it('every secondary index of a table with network_id starts with network_id (after every migration)', async () => {
    const indexes = (await t.app.get(DataSource).query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       JOIN pg_class ic ON ic.relname = i.indexname JOIN pg_index x ON x.indexrelid = ic.oid
       WHERE i.schemaname = 'public' AND NOT x.indisprimary AND EXISTS (
         SELECT 1 FROM information_schema.columns c
         WHERE c.table_schema = 'public' AND c.table_name = i.tablename AND c.column_name = 'network_id')`,
    )) as { indexname: string; indexdef: string }[];
    const firstColumn = (def: string) => /\(\s*"?(\w+)/.exec(def)?.[1];
    const others = indexes.filter((i) => firstColumn(i.indexdef) !== 'network_id').map((i) => i.indexname);
    // the deliberate exceptions, each a lookup that cannot know the network first
    expect(others.sort()).toEqual([
      'audit_log_created_idx', // audit rows outlive their network (no foreign key): expiry runs across networks
      'clients_token_hash_key', // a device token is resolved to its network
      'jobs_claim_idx', // workers claim due jobs of every network
    ]);
    expect(indexes.length).toBeGreaterThan(10);
  });

  it('every {network_id} and account-door route × {id of another network, random id} answers 404 and leaves the data unchanged', async () => {
    const result = await runTenantMatrix({ t, spec, a, b });
    expect(result.failures).toEqual([]);
    // The matrix really ran over the domain routes and the foundation's network routes, both versions.
    for (const route of [
      'GET /api/v1/{network_id}/persons/{person_id}',
      'DELETE /api/v2/{network_id}/conversations/{conversation_id}',
      'POST /api/v1/{network_id}/interactions',
      'GET /api/v2/{network_id}/interactions',
      'DELETE /api/v1/{network_id}/service/client/deregister/{client_id}',
      'DELETE /api/v1/networks/{network_id}',
      'GET /api/v1/{network_id}/recordings/{recording_id}',
      'POST /api/v2/{network_id}/recordings/{recording_id}/cancel',
      'DELETE /api/v1/{network_id}/recordings/{recording_id}',
      'GET /api/v2/{network_id}/tasks/{task_id}',
      // the account door
      'GET /api/v1/persons/{person_id}',
      'PATCH /api/v2/persons/{person_id}',
      'DELETE /api/v1/conversations/{conversation_id}',
      'GET /api/v2/interactions',
      'DELETE /api/v1/service/clients/{client_id}',
      'PATCH /api/v2/service/network/enable',
      'PATCH /api/v1/actions/{action_id}',
    ]) {
      expect(result.routes).toContain(route);
    }
    const variants = new Set(result.cases.map((c) => `${c.route} [${c.variant}]`));
    expect(variants).toContain('POST /api/v1/{network_id}/conversations [body participants=id of B]');
    expect(variants).toContain('GET /api/v2/{network_id}/interactions [query person_id=id of B]');
    expect(variants).toContain(
      'PUT /api/v1/{network_id}/interactions/{interaction_id} [body conversation_id=random]',
    );
    expect(variants).toContain('GET /api/v1/interactions [query conversation_ids=id of B]');
    expect(variants).toContain('POST /api/v2/service/clients [X-Network-Id=B, ids of B]');
    expect(variants).toContain('DELETE /api/v2/persons/{person_id} [path person_id=id of B]');
    expect(result.cases.length).toBeGreaterThanOrEqual(300);
  }, 600_000); // seeds real voiceprints and a processed stream chunk per tenant, ~80 account routes: slow on a busy machine

  it('fails loudly for a route whose id input has no filler', async () => {
    const fake: OpenApiSpec = {
      paths: {
        '/api/v1/{network_id}/widgets/{widget_id}': {
          get: {
            parameters: [
              { name: 'network_id', in: 'path' },
              { name: 'widget_id', in: 'path' },
            ],
          },
        },
      },
    };
    const result = await runTenantMatrix({ t, spec: fake, a, b });
    expect(result.failures).toEqual([expect.stringContaining('no id filler for path "widget_id"')]);
  });

  it('reports a route that answers for an id it should not see (the matrix can fail)', async () => {
    // Simulates a leak: the "foreign" value of leaky_id is really a person of network A, so the route answers 200.
    const ownPerson = (await t.http().post(`/api/v1/${a.networkId}/persons`).set(a.auth).send({}).expect(201))
      .body.id;
    registerIdFiller('leaky_id', { seed: async () => ownPerson });
    const fake: OpenApiSpec = {
      paths: {
        '/api/v1/{network_id}/persons/{leaky_id}': {
          get: {
            parameters: [
              { name: 'network_id', in: 'path' },
              { name: 'leaky_id', in: 'path' },
            ],
          },
        },
      },
    };
    const result = await runTenantMatrix({ t, spec: fake, a, b });
    expect(result.failures).toEqual([expect.stringMatching(/\[path leaky_id=id of B\].*answered 200/)]);
  });
});
