import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectAccessRules } from '../support/access-rules.js';
import { startTestApp, TestApp } from '../support/app.js';

const SNAPSHOT = join(process.cwd(), 'test/e2e/access-rules.snapshot.json');

/**
 * Who may call what. Every route (method + path) with its @Access rule must equal the committed
 * snapshot: changing a rule or adding a route fails until the snapshot is updated on purpose
 * (UPDATE_ACCESS_SNAPSHOT=1 rewrites it; review the diff).
 */
describe('access-rule snapshot', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('every route carries an access rule and the table equals test/e2e/access-rules.snapshot.json', async () => {
    const rules = collectAccessRules(t.app);
    expect(Object.entries(rules).filter(([, rule]) => rule === 'MISSING')).toEqual([]);
    if (process.env.UPDATE_ACCESS_SNAPSHOT === '1' || !existsSync(SNAPSHOT)) {
      const created = !existsSync(SNAPSHOT);
      writeFileSync(SNAPSHOT, `${JSON.stringify(rules, null, 2)}\n`);
      if (created) throw new Error(`${SNAPSHOT} did not exist: written now; review and commit it`);
    }
    const committed = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, string>;
    expect(rules).toEqual(committed);
    // Sanity: the collector sees the foundation and the domain routes with their real rules.
    expect(rules).toMatchObject({
      'GET /health': 'public',
      'POST /api/v1/auth/login': 'public',
      'POST /api/v1/networks': 'user',
      'DELETE /api/v2/networks/:network_id': 'network-owner',
      'GET /api/v1/:network_id/service/info': 'network',
      'DELETE /api/v2/:network_id/persons/:person_id': 'network',
      'PATCH /api/v1/:network_id/conversations/:conversation_id': 'network',
      'GET /api/v2/:network_id/interactions': 'network',
    });
  });

  it('lists exactly the routes /openapi.json documents', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body as { paths: Record<string, object> };
    const documented = Object.entries(spec.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    expect(Object.keys(collectAccessRules(t.app)).sort()).toEqual(documented);
  });
});
