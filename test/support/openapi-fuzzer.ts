import fc from 'fast-check';
import { listOperations, resolveSchema, type OpenApiSpec, type Operation, type Schema } from './openapi.js';

/**
 * Property-based fuzzer driven by the app's own /openapi.json: random and malformed requests (path, query, body,
 * headers) to every documented operation; the property is "no response is a 5xx and the connection survives".
 * Loopback only. `runs` sets the number of requests (the normal suite runs a few hundred, the reliability suite
 * thousands); `seed` replays a run.
 */
export interface FuzzOptions {
  baseUrl: string;
  spec: OpenApiSpec;
  runs: number;
  seed?: number;
  /** Header sets to pick from (valid tokens, none, garbage...). */
  auths: Array<Record<string, string>>;
  /** Real values by parameter/property name (network_id, person_id, ...) so requests get past the 404s. */
  knownIds: Record<string, string[]>;
  /** Operations not to call (e.g. deleting the network under test). */
  skip?: (op: Operation) => boolean;
  timeoutMs?: number;
}

export interface FuzzRequest {
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Why this request is invalid by construction (a body in a type no route reads, an integer written in hex),
   * when the generator made it so: answering it 2xx is a failure as much as a 5xx is.
   */
  mustRefuse?: string;
}

export interface FuzzReport {
  requests: number;
  statuses: Record<string, number>;
  /**
   * Every request answered 5xx, or 2xx although it was invalid by construction (mustRefuse), or that failed at the
   * socket (the property's failure, after shrinking).
   */
  failures: Array<{ request: FuzzRequest; status: number | string; body: string }>;
  seed: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Strings that have broken servers before: NUL, lone surrogates, RTL, huge, SQL/JSON/percent metacharacters. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  '\u202e',
  "'; DROP TABLE persons; --",
  '%',
  '%zz',
  '%E0%A4%A',
  '..',
  '../..',
  '{}',
  '[]',
  'null',
  'true',
  '-1',
  '0',
  '1e309',
  'NaN',
  '9'.repeat(40),
  'x'.repeat(5000),
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '2026-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '__proto__',
  'constructor',
];

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD instead of throwing like encodeURIComponent). */
function encodeSegment(value: string, raw: boolean): string {
  if (raw) return value.replace(/[/?#\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return [...Buffer.from(value, 'utf8')]
    .map((b) =>
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x5f
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

const anyString = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );

function idValue(name: string, known: Record<string, string[]>): fc.Arbitrary<string> {
  const real = known[name] ?? [];
  const options: Array<fc.WeightedArbitrary<string>> = [
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: anyString() },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
  ];
  if (real.length) {
    options.push({ weight: 5, arbitrary: fc.constantFrom(...real) });
    // the same ids in another letter case (iOS writes upper case): one id, one behaviour
    options.push({ weight: 2, arbitrary: fc.constantFrom(...real).map(mixCase) });
  }
  return fc.oneof(...options);
}

function mixCase(id: string): string {
  return [...id].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
}

/** Integers written in forms a lax parser reads as numbers: hex, signed, exponent, padded, decimal point. */
const NOT_DECIMAL_INTEGERS = ['0x10', '+5', '1e3', ' 5', '5 ', '5.0', '0b11', '1_000', '٣'];

/** JSON nested far deeper than any request needs (recursive validators overflow the stack on these). */
const deepJson = fc
  .tuple(fc.integer({ min: 200, max: 4000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

/** Values shaped by the schema most of the time, anything JSON the rest. */
function valueFor(
  spec: OpenApiSpec,
  raw: Schema | undefined,
  name: string,
  known: Record<string, string[]>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolveSchema(spec, raw);
  const wild = fc.jsonValue({ maxDepth: 3 });
  let shaped: fc.Arbitrary<unknown>;
  if (schema.format === 'uuid') shaped = idValue(name, known);
  else if (schema.enum?.length) shaped = fc.constantFrom(...schema.enum);
  else if (schema.type === 'string') {
    shaped = fc.oneof(
      fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 60, 60) }),
      fc.constantFrom(...NASTY),
      ...(schema.example !== undefined ? [fc.constant(schema.example)] : []),
      fc
        .date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true })
        .map((d) => d.toISOString()),
    );
  } else if (schema.type === 'integer' || schema.type === 'number') {
    shaped = fc.oneof(
      fc.integer({ min: -5, max: 600 }),
      fc.double(),
      fc.constantFrom(2 ** 53, -(2 ** 31), 1e308),
    );
  } else if (schema.type === 'boolean') shaped = fc.boolean();
  else if (schema.type === 'array') {
    shaped = fc.array(valueFor(spec, schema.items, name, known, depth + 1), {
      maxLength: Math.min((schema.maxItems ?? 5) + 2, 60),
    });
  } else if (schema.properties && depth < 3) {
    const props = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, valueFor(spec, v, k, known, depth + 1)]),
    );
    shaped = fc.record(props, { requiredKeys: [] });
  } else {
    // free-form objects (metadata): plenty of keys, nesting and sizes around the bounds
    shaped = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 60 }),
      fc.constant({ big: 'x'.repeat(17_000) }),
      fc.constant(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))),
    );
  }
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: wild });
}

function bodyFor(
  spec: OpenApiSpec,
  op: Operation,
  known: Record<string, string[]>,
): fc.Arbitrary<string | undefined> {
  const schema = op.body;
  const json = schema
    ? fc.oneof(
        { weight: 6, arbitrary: valueFor(spec, schema, 'body', known) },
        {
          // a schema-shaped object with one extra unknown property
          weight: 1,
          arbitrary: fc
            .tuple(
              valueFor(spec, schema, 'body', known),
              fc.string({ maxLength: 10 }),
              fc.jsonValue({ maxDepth: 2 }),
            )
            .map(([v, k, x]) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, [k]: x } : v)),
        },
      )
    : fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    { weight: 8, arbitrary: json.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: anyString() },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: deepJson.map((deep) => `{"name":${deep}}`) },
    { weight: 1, arbitrary: deepJson },
  );
}

/** The query string, and why it must be refused when one of its integers is written as no integer is. */
function queryFor(
  spec: OpenApiSpec,
  op: Operation,
  known: Record<string, string[]>,
): fc.Arbitrary<{ query: string; mustRefuse?: string }> {
  const pairs = op.queryParams.map((p) => {
    const integer = resolveSchema(spec, p.schema).type === 'integer';
    const options: Array<fc.WeightedArbitrary<string[][]>> = [
      {
        weight: 4,
        arbitrary: valueFor(spec, p.schema, p.name, known).map((v) => [
          [p.name, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')],
        ]),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(anyString(), { minLength: 2, maxLength: 3 })
          .map((vs) => vs.map((v) => [p.name, v])),
      },
    ];
    if (integer) {
      options.push({
        weight: 2,
        arbitrary: fc.constantFrom(...NOT_DECIMAL_INTEGERS).map((v) => [[p.name, v, 'refuse']]),
      });
    }
    return fc.option(fc.oneof(...options), { freq: 2 });
  });
  const extra = fc.option(
    fc.tuple(fc.string({ maxLength: 8 }), anyString()).map(([k, v]) => [[k, v]]),
    { freq: 6 },
  );
  return fc.tuple(fc.tuple(...pairs), extra).map(([chosen, more]) => {
    const all = [...chosen.flatMap((c) => c ?? []), ...(more ?? [])] as string[][];
    if (all.length === 0) return { query: '' };
    const refused = all.find((pair) => pair[2] === 'refuse');
    return {
      query: `?${all.map(([k, v]) => `${encodeSegment(k!, false)}=${encodeSegment(v!, false)}`).join('&')}`,
      mustRefuse: refused
        ? `${refused[0]}=${JSON.stringify(refused[1])} is not a decimal integer`
        : undefined,
    };
  });
}

function requestFor(spec: OpenApiSpec, op: Operation, options: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  const pathArb = fc.tuple(
    ...op.pathParams.map((p) =>
      fc.tuple(fc.constant(p.name), idValue(p.name, options.knownIds), fc.boolean()),
    ),
  );
  return fc
    .tuple(
      pathArb,
      queryFor(spec, op, options.knownIds),
      op.method === 'GET' || op.method === 'DELETE'
        ? fc.constant(undefined)
        : bodyFor(spec, op, options.knownIds),
      fc.constantFrom(...options.auths),
      fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
      ),
    )
    .map(([params, { query, mustRefuse }, body, auth, contentType]) => {
      let url = op.path;
      for (const [name, value, raw] of params)
        url = url.replace(`{${name}}`, encodeSegment(value, raw && value.length > 0) || '%20');
      const headers: Record<string, string> = { ...auth };
      if (body !== undefined) headers['content-type'] = contentType;
      // a body no parser reads must be refused (415), never taken for an empty one
      const unreadable = body !== undefined && body.length > 0 && contentType === 'text/plain';
      return {
        op: op.key,
        method: op.method,
        url: url + query,
        headers,
        body,
        mustRefuse: mustRefuse ?? (unreadable ? 'a text/plain body' : undefined),
      };
    });
}

export async function fuzzOpenApi(options: FuzzOptions): Promise<FuzzReport> {
  const base = new URL(options.baseUrl);
  if (!LOOPBACK.has(base.hostname))
    throw new Error(`The fuzzer only talks to loopback, not ${base.hostname}`);
  const ops = listOperations(options.spec).filter((op) => !options.skip?.(op));
  if (ops.length === 0) throw new Error('No operations to fuzz');
  const seed = options.seed ?? Date.now() % 2_147_483_647;
  const statuses: Record<string, number> = {};
  const failures: FuzzReport['failures'] = [];
  let requests = 0;
  const arb = fc.oneof(...ops.map((op) => requestFor(options.spec, op, options)));

  const send = async (req: FuzzRequest): Promise<{ status: number | string; body: string }> => {
    try {
      const res = await fetch(new URL(req.url, base), {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      return { status: res.status, body: (await res.text()).slice(0, 500) };
    } catch (err) {
      return { status: `network error: ${(err as Error).message}`, body: '' };
    }
  };

  try {
    await fc.assert(
      fc.asyncProperty(arb, async (req) => {
        requests += 1;
        const { status, body } = await send(req);
        const bucket = typeof status === 'number' ? String(status) : 'network-error';
        statuses[bucket] = (statuses[bucket] ?? 0) + 1;
        const ok = typeof status === 'number' && status < 500 && !(req.mustRefuse && status < 400);
        if (!ok) failures.push({ request: req, status, body });
        return ok;
      }),
      { numRuns: options.runs, seed, endOnFailure: false, maxSkipsPerRun: 0 },
    );
  } catch {
    // fast-check shrank to a minimal failing request; every failure seen is in the report.
  }
  return { requests, statuses, failures, seed };
}
