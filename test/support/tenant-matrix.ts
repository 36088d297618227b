import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { NETWORK_ID_HEADER } from '@mira/core';
import type { TestApp } from './app.js';
import {
  exampleValue,
  fillPath,
  isUuidSchema,
  listOperations,
  type OpenApiSpec,
  type Operation,
} from './openapi.js';

/**
 * Tenant-isolation matrix, generated from the app's own /openapi.json.
 *
 * For every route whose path has {network_id}, with network A's token:
 *  - network_id = network B (and every other id = B's real ids)  → 404, nothing changes;
 *  - network_id = a random uuid                                  → 404, nothing changes;
 * and for every account-door route (no {network_id}; it documents the X-Network-Id header), with A's token (A's
 * account network is A's only network):
 *  - X-Network-Id = network B (and every other id = B's real ids) → 404, nothing changes;
 *  - X-Network-Id = a random uuid                                 → 404, nothing changes;
 * and on both kinds of route:
 *  - for every other id input (path parameter, uuid query parameter, uuid body property, body property naming a
 *    device), with network_id = A
 *    and everything else A's own valid values: that id = a real id of network B, then a random value → 404,
 *    nothing changes.
 * "Nothing changes" = a digest of every table is equal before and after each route's cases.
 *
 * An id input needs a filler (how to create a real one in a network); a route with an input no filler knows
 * FAILS the matrix until one is registered with registerIdFiller (or the input is exempted with a reason), so a
 * new route cannot silently escape. Register fillers in test/support/tenant-fillers.ts.
 */

export interface Tenant {
  networkId: string;
  auth: { Authorization: string };
}

export interface FillerContext {
  t: TestApp;
  tenant: Tenant;
  /** A real id of another filler's kind in the same tenant (created once and cached). */
  idOf(name: string): Promise<string>;
}

export interface IdFiller {
  /** Creates a real instance in the tenant and returns its id (called at most once per tenant). */
  seed(ctx: FillerContext): Promise<string>;
  /** A value that names nothing (defaults to a random uuid). */
  random?(): string;
}

const fillers = new Map<string, IdFiller>();
const exemptions = new Map<string, string>();

/** Teaches the matrix an id input by name (path parameter, query parameter or body property). */
export function registerIdFiller(name: string, filler: IdFiller): void {
  fillers.set(name, filler);
}

/**
 * Skips one input of one route, with the reason (e.g. a path segment that names something to CREATE in the
 * caller's own network). `routeKey` is "METHOD /api/v1/..." as in /openapi.json; `input` is the parameter name.
 */
export function exemptInput(routeKey: string, input: string, reason: string): void {
  exemptions.set(`${routeKey}#${input}`, reason);
}

export interface MatrixCase {
  route: string;
  variant: string;
  method: string;
  url: string;
  body?: unknown;
  status?: number;
  errorCode?: string;
}

export interface MatrixResult {
  cases: MatrixCase[];
  failures: string[];
  routes: string[];
}

class TenantIds {
  private readonly cache = new Map<string, Promise<string>>();
  constructor(
    private readonly t: TestApp,
    private readonly tenant: Tenant,
  ) {}

  idOf = (name: string): Promise<string> => {
    const filler = fillers.get(name);
    if (!filler) return Promise.reject(new Error(`no id filler registered for "${name}"`));
    let value = this.cache.get(name);
    if (!value) {
      value = filler.seed({ t: this.t, tenant: this.tenant, idOf: this.idOf });
      this.cache.set(name, value);
    }
    return value;
  };
}

function randomFor(name: string): string {
  return fillers.get(name)?.random?.() ?? randomUUID();
}

/** Digest of every table's rows: equal digests mean nothing changed. */
export async function snapshotDatabase(url: string, ignoreTables: string[] = ['schema_migrations']) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    const out: Record<string, string> = {};
    for (const { tablename } of tables.rows) {
      if (ignoreTables.includes(tablename)) continue;
      const res = await client.query<{ digest: string; n: string }>(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest, count(*) AS n FROM "${tablename}" t`,
      );
      out[tablename] = `${res.rows[0]!.n}:${res.rows[0]!.digest}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

interface IdInput {
  name: string;
  where: 'path' | 'query' | 'body';
  many: boolean;
}

/** Body properties that name a device of the network (`client_id`, `phone_client_id`, `target_client_id`, …). */
function isDeviceNameInput(name: string): boolean {
  return name === 'client_id' || name.endsWith('_client_id');
}

function idInputs(op: Operation): IdInput[] {
  const out: IdInput[] = [];
  for (const p of op.pathParams)
    if (p.name !== 'network_id') out.push({ name: p.name, where: 'path', many: false });
  for (const p of op.queryParams) {
    const kind = isUuidSchema(p.schema);
    if (kind) out.push({ name: p.name, where: 'query', many: kind === 'many' });
  }
  for (const [name, schema] of Object.entries(op.body?.properties ?? {})) {
    const kind = isUuidSchema(schema);
    if (kind) out.push({ name, where: 'body', many: kind === 'many' });
    // devices are named, not numbered: a body naming another network's device is the same attack
    else if (isDeviceNameInput(name)) out.push({ name, where: 'body', many: false });
  }
  return out;
}

export async function runTenantMatrix(options: {
  t: TestApp;
  spec: OpenApiSpec;
  /** The caller: its token is used for every request. */
  a: Tenant;
  /** The other network: its real ids are the "foreign" values. */
  b: Tenant;
}): Promise<MatrixResult> {
  const { t, spec, a, b } = options;
  const idsA = new TenantIds(t, a);
  const idsB = new TenantIds(t, b);
  const cases: MatrixCase[] = [];
  const failures: string[] = [];
  const ops = listOperations(spec).filter(
    (op) => op.path.includes('{network_id}') || op.headerParams.some((p) => p.name === NETWORK_ID_HEADER),
  );

  for (const op of ops) {
    const inputs = idInputs(op).filter((input) => !exemptions.has(`${op.key}#${input.name}`));
    const missing = inputs.filter((input) => !fillers.has(input.name));
    if (missing.length > 0) {
      failures.push(
        `${op.key}: no id filler for ${missing.map((m) => `${m.where} "${m.name}"`).join(', ')} — register one ` +
          'with registerIdFiller (test/support/tenant-fillers.ts) or exemptInput with a reason',
      );
      continue;
    }
    // Non-id path parameters that are exempted still need some value: a random one.
    const exemptPath = op.pathParams.filter(
      (p) => p.name !== 'network_id' && !inputs.some((i) => i.name === p.name),
    );

    const build = async (
      networkId: string,
      valueOf: (input: IdInput) => Promise<string>,
      only?: IdInput,
    ): Promise<{ url: string; body?: unknown }> => {
      const pathValues: Record<string, string> = { network_id: networkId };
      for (const p of exemptPath) pathValues[p.name] = randomFor(p.name);
      const query = new URLSearchParams();
      // Required query parameters that are not ids (a search's q) take their documented example.
      for (const p of op.queryParams) {
        if (p.required && !inputs.some((i) => i.name === p.name)) {
          query.set(p.name, String(exampleValue(spec, p.schema)));
        }
      }
      const bodyIds: Record<string, unknown> = {};
      for (const input of inputs) {
        if (input.where === 'path') pathValues[input.name] = await valueOf(input);
        else if (only === input) {
          const v = await valueOf(input);
          if (input.where === 'query') query.set(input.name, v);
          else bodyIds[input.name] = input.many ? [v] : v;
        }
      }
      const url = fillPath(op.path, pathValues) + (query.size ? `?${query}` : '');
      if (!op.body) return { url };
      const body = exampleValue(spec, op.body, (name) => bodyIds[name]);
      return { url, body: { ...(body as object), ...bodyIds } };
    };

    type Variant = {
      variant: string;
      headers?: Record<string, string>;
      make: () => Promise<{ url: string; body?: unknown }>;
    };
    const accountDoor = !op.path.includes('{network_id}');
    const variants: Variant[] = accountDoor
      ? [
          {
            variant: `${NETWORK_ID_HEADER}=B, ids of B`,
            headers: { [NETWORK_ID_HEADER]: b.networkId },
            make: () => build(a.networkId, (i) => idsB.idOf(i.name)),
          },
          {
            variant: `${NETWORK_ID_HEADER}=random`,
            headers: { [NETWORK_ID_HEADER]: randomUUID() },
            make: () => build(a.networkId, (i) => Promise.resolve(randomFor(i.name))),
          },
        ]
      : [
          { variant: 'network_id=B, ids of B', make: () => build(b.networkId, (i) => idsB.idOf(i.name)) },
          {
            variant: 'network_id=random',
            make: () => build(randomUUID(), (i) => Promise.resolve(randomFor(i.name))),
          },
        ];
    for (const input of inputs) {
      const own = (i: IdInput) => idsA.idOf(i.name);
      variants.push({
        variant: `${input.where} ${input.name}=id of B`,
        make: () => build(a.networkId, (i) => (i === input ? idsB.idOf(i.name) : own(i)), input),
      });
      variants.push({
        variant: `${input.where} ${input.name}=random`,
        make: () =>
          build(a.networkId, (i) => (i === input ? Promise.resolve(randomFor(i.name)) : own(i)), input),
      });
    }

    // Seed everything this route needs before the "before" snapshot.
    for (const input of inputs) {
      await idsA.idOf(input.name);
      await idsB.idOf(input.name);
    }
    const before = await snapshotDatabase(t.database.url);
    for (const { variant, headers, make } of variants) {
      let built: { url: string; body?: unknown };
      try {
        built = await make();
      } catch (err) {
        failures.push(`${op.key} [${variant}]: could not build the request: ${(err as Error).message}`);
        continue;
      }
      let req = t
        .http()
        [op.method.toLowerCase() as 'get'](built.url)
        .set({ ...a.auth, ...headers });
      if (built.body !== undefined) req = req.send(built.body as object);
      const res = await req;
      const c: MatrixCase = {
        route: op.key,
        variant,
        method: op.method,
        url: built.url,
        body: built.body,
        status: res.status,
        errorCode: res.body?.error_code,
      };
      cases.push(c);
      if (res.status !== 404 || c.errorCode === 'ROUTE_NOT_FOUND') {
        failures.push(
          `${op.key} [${variant}]: ${op.method} ${built.url} answered ${res.status} ${c.errorCode ?? ''}`,
        );
      }
    }
    const after = await snapshotDatabase(t.database.url);
    for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (before[table] !== after[table])
        failures.push(`${op.key}: table ${table} changed during its 404 cases`);
    }
  }
  return { cases, failures, routes: ops.map((op) => op.key) };
}
