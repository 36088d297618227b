/**
 * npm run bench:semantic — latency of GET /interactions/search by meaning on a network of many embedded interactions,
 * on both rankings: embedded PGlite with pgvector (cosine distance over the cast real[] vectors) and PostgreSQL
 * without pgvector (the same cosine in plain SQL, unnest over the arrays). The real app over HTTP on loopback; the
 * query's embedding comes from the local fake Gemini (test/support/fake-gemini.ts, loopback, microseconds), so the
 * figure is Mira's part of a search, not Gemini's. Interactions and their 768-value embeddings are seeded in SQL
 * (random vectors: an exact scan costs the same whatever the values). Same-run baseline: the text ranking alone
 * (mode=text) for the same query on the same network.
 *
 * Env: BENCH_SEMANTIC_INTERACTIONS (100000, PGlite/pgvector), BENCH_SEMANTIC_SQL_INTERACTIONS (10000, the plain-SQL
 * cosine, which is two orders of magnitude slower), BENCH_SEMANTIC_REQUESTS per mode per run (5), BENCH_RUNS (3).
 * Writes the `Semantic search latency` block of BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig, AppLogger } from '@mira/core';
import { InteractionEmbeddingRepository, SEMANTIC_PREFIX_CANDIDATES } from '@mira/interaction';
import { createApp } from '../apps/api/src/app.factory.js';
import { FakeGemini } from '../test/support/fake-gemini.js';
import { writeBenchmark } from '../tooling/benchmarks-file.js';

const PGLITE_INTERACTIONS = Number(process.env.BENCH_SEMANTIC_INTERACTIONS ?? 100_000);
const SQL_INTERACTIONS = Number(process.env.BENCH_SEMANTIC_SQL_INTERACTIONS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_SEMANTIC_REQUESTS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Random query vectors for the ranking-only comparison (exact cast scan against the stored columns) and recall. */
const RECALL_QUERIES = Number(process.env.BENCH_SEMANTIC_RECALL_QUERIES ?? 10);
const DIMENSIONS = 768;
const MODES = ['text', 'semantic', 'hybrid'] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Engine {
  label: string;
  interactions: number;
  /** Environment for the app, and a cleanup. */
  prepare(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

async function postgresEngine(): Promise<Engine> {
  return {
    label: 'PostgreSQL without pgvector (plain-SQL cosine, newest 2000)',
    interactions: SQL_INTERACTIONS,
    async prepare() {
      const harness = (await import(pathToFileURL(resolve('test/support/postgres-harness.mjs')).href)) as {
        startPostgres(): Promise<{ url: string; stop(): void }>;
      };
      const cluster = process.env.DATABASE_URL
        ? { url: process.env.DATABASE_URL, stop: () => undefined }
        : await harness.startPostgres();
      const dbName = `mira_semantic_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName} TEMPLATE template0`);
      await admin.end();
      const url = new URL(cluster.url);
      url.pathname = `/${dbName}`;
      return {
        env: { DATABASE_URL: url.toString() },
        async cleanup() {
          const c = new pg.Client({ connectionString: cluster.url });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
          await c.end();
          cluster.stop();
        },
      };
    },
  };
}

const pgliteEngine: Engine = {
  label: 'embedded PGlite with pgvector (prefix pass + exact re-rank)',
  interactions: PGLITE_INTERACTIONS,
  prepare: () => Promise.resolve({ env: {}, cleanup: () => Promise.resolve() }),
};

const randomUnitVector = (dimensions: number): number[] => {
  const v = Array.from({ length: dimensions }, () => Math.random() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

/**
 * The ranking alone, in the database, for random unit query vectors, alternating: the exact scan casting every
 * row's real[] to vector (the ranking before the stored columns) against the repository's pgvector ranking (coarse
 * prefix pass, exact re-ranking of its candidates), at two candidate counts; recall@10 = how much of the exact
 * top-10 each returns. Random vectors have no Matryoshka structure (their prefix says the least it can about the
 * whole), so this recall is a floor, not what real embeddings get.
 */
async function compareRankings(
  db: DataSource,
  repo: InteractionEmbeddingRepository,
  nid: string,
): Promise<string[]> {
  const space = { model: 'gemini-embedding-001', dimensions: DIMENSIONS };
  const variants = [400, SEMANTIC_PREFIX_CANDIDATES];
  const exactTimes: number[] = [];
  const times = new Map<number, number[]>(variants.map((c) => [c, []]));
  const recall = new Map<number, number[]>(variants.map((c) => [c, []]));
  for (let q = 0; q < RECALL_QUERIES; q++) {
    const query = randomUnitVector(DIMENSIONS);
    let started = process.hrtime.bigint();
    const exact = (
      (await db.query(
        `SELECT e.interaction_id AS id FROM interaction_embeddings e
         WHERE e.network_id = $1 AND e.model = $2 AND e.dimensions = $3
         ORDER BY e.embedding::vector <=> $4::real[]::vector, e.interaction_id LIMIT 10`,
        [nid, space.model, space.dimensions, `{${query.join(',')}}`],
      )) as { id: string }[]
    ).map((r) => r.id);
    exactTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    for (const candidates of variants) {
      started = process.hrtime.bigint();
      const found = await repo.nearest(nid, space, query, {}, 10, 'pgvector', {
        candidates,
        sqlScanLimit: 0, // the pgvector ranking never reads it
      });
      times.get(candidates)!.push(Number(process.hrtime.bigint() - started) / 1e6);
      const ids = new Set(found.map((m) => m.id));
      recall.get(candidates)!.push(exact.filter((id) => ids.has(id)).length / 10);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const exactMedian = median(exactTimes);
  return [
    `| exact scan, real[] cast to vector per row | ${exactMedian.toFixed(1)} | 1.00× | 1.00 |`,
    ...variants.map((c) => {
      const m = median(times.get(c)!);
      return `| stored prefix, ${c} candidates re-ranked by the stored vector | ${m.toFixed(1)} | ${(m / exactMedian).toFixed(2)}× | ${mean(recall.get(c)!).toFixed(2)} |`;
    }),
  ];
}

async function measure(
  engine: Engine,
  fake: FakeGemini,
): Promise<{ rows: string[]; note: string; rankingRows: string[] }> {
  const prepared = await engine.prepare();
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-bench-semantic-'));
  const config = AppConfig.fromEnvironment(
    {},
    {
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      RATE_LIMIT_ENABLED: 'false',
      JWT_ACCESS_TTL_SECONDS: '86400',
      GEMINI_EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      // a slow scan must not turn into "query embedding timed out": the embedding itself is instant here
      SEMANTIC_SEARCH_QUERY_TIMEOUT_MS: '60000',
      ...fake.env(),
      ...prepared.env,
    },
  );
  const app = await createApp(config, new AppLogger('error', true));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  try {
    const json = async (path: string, body: object, token?: string) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path} -> ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const token = (
      await json('/api/v1/auth/register', { email: 'semantic@example.com', password: 'bench password 1' })
    ).access_token as string;
    const nid = (await json('/api/v1/networks', { name: 'Bench' }, token)).id as string;

    const db = app.get(DataSource);
    const seedStarted = Date.now();
    await db.query(
      `INSERT INTO interactions (network_id, content, interaction_type, occurred_at, transcription_status, processing_status)
       SELECT $1, 'note number ' || g || CASE WHEN g % 50 = 0 THEN ' about the garden' ELSE '' END, 'text',
              now() - g * interval '1 minute', 'transcribed', 'done'
       FROM generate_series(1, $2) g`,
      [nid, engine.interactions],
    );
    await db.query(
      `INSERT INTO interaction_embeddings (network_id, interaction_id, model, dimensions, embedding, content_sha256)
       SELECT i.network_id, i.id, 'gemini-embedding-001', $2,
              (SELECT array_agg((random() - 0.5)::real) FROM generate_series(1, $2) WHERE i.id IS NOT NULL), 'seeded'
       FROM interactions i WHERE i.network_id = $1`,
      [nid, DIMENSIONS],
    );
    await db.query('ANALYZE');
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    // The keep-alive connection of the requests before the seeding was closed by the server while it sat idle; the
    // first request on it fails with ECONNRESET, and the next ones open a fresh one.
    await fetch(`${base}/health`).catch(() => undefined);

    const times = new Map<string, number[]>(MODES.map((m) => [m, []]));
    for (let run = 0; run < RUNS; run++) {
      // alternating modes inside each run, so the machine's load falls on all of them alike
      for (let i = 0; i < REQUESTS + 1; i++) {
        for (const mode of MODES) {
          const started = process.hrtime.bigint();
          const res = await fetch(
            `${base}/api/v1/${nid}/interactions/search?q=garden&mode=${mode}&limit=20`,
            {
              headers: { authorization: `Bearer ${token}` },
            },
          );
          const body = (await res.json()) as { mode: string; items: unknown[] };
          if (res.status !== 200 || body.mode !== mode || body.items.length === 0)
            throw new Error(`search mode=${mode} -> ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
          // the first round warms up
          if (i > 0) times.get(mode)!.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
      process.stdout.write(`${engine.label}: run ${run + 1}/${RUNS} done\n`);
    }
    const ranking = (
      (await (await fetch(`${base}/health/detailed`)).json()) as {
        checks: { semantic_search: { ranking: string } };
      }
    ).checks.semantic_search.ranking;
    const rankingRows = ranking.startsWith('pgvector')
      ? await compareRankings(db, app.get(InteractionEmbeddingRepository), nid)
      : [];
    const text = median(times.get('text')!);
    const rows = MODES.map((mode) => {
      const m = median(times.get(mode)!);
      return `| ${engine.label} | ${engine.interactions.toLocaleString('en-US')} | ${mode} | ${m.toFixed(1)} | ${(m / text).toFixed(1)}× |`;
    });
    const perInteraction = ((median(times.get('semantic')!) - text) / engine.interactions) * 1000;
    const note =
      `${engine.label}: ${perInteraction.toFixed(1)} µs per embedded interaction (semantic minus text, over N); ` +
      `seeding took ${seedSeconds.toFixed(0)} s; /health/detailed ranking: ${ranking}`;
    process.stdout.write(`${[...rows, ...rankingRows].join('\n')}\n${note}\n`);
    return { rows, note, rankingRows };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    await prepared.cleanup();
  }
}

async function main(): Promise<void> {
  const fake = await FakeGemini.start();
  try {
    const results: { rows: string[]; note: string; rankingRows: string[] }[] = [];
    for (const engine of [pgliteEngine, await postgresEngine()]) results.push(await measure(engine, fake));
    const cpu = cpus();
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ');
    const body = [
      `One network of N interactions, each with a ${DIMENSIONS}-value embedding (seeded in SQL), searched for one ` +
        `word (\`q=garden\`, in 2 % of the texts) with limit=20; the real app over HTTP on loopback; the query's ` +
        `embedding from the local fake Gemini (instant), so this is Mira's part of a search and Gemini's own ` +
        `latency (typically 100–300 ms) comes on top. Median over ${RUNS} runs × ${REQUESTS} requests per mode, ` +
        'modes alternating; the ratio is against mode=text on the same network in the same run. Milliseconds.',
      '',
      `- Command: \`npm run bench:semantic\` (env: BENCH_SEMANTIC_INTERACTIONS=${PGLITE_INTERACTIONS}, ` +
        `BENCH_SEMANTIC_SQL_INTERACTIONS=${SQL_INTERACTIONS}, BENCH_SEMANTIC_REQUESTS=${REQUESTS}, BENCH_RUNS=${RUNS})`,
      `- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
        `${osType()} ${release()}, Node ${process.version}; load average at the end (1/5/15 min): ${load}, shared ` +
        'with other jobs: indicative figures',
      `- Date: ${new Date().toISOString().slice(0, 10)}`,
      '',
      'Reading: no ANN index can lead with network_id, so the semantic ranking scans the network. With pgvector ' +
        `it reads the stored 256-value prefix of every embedded interaction (in the row: no TOAST, no cast) and ` +
        `re-ranks the ${SEMANTIC_PREFIX_CANDIDATES} nearest by the stored full vector; without pgvector the ` +
        'cosine is computed in plain SQL (unnest per row) over the newest SEMANTIC_SEARCH_SQL_SCAN_LIMIT (2000) ' +
        'embedded interactions only, so the PostgreSQL row below is bounded by that, not by N. PostgreSQL with ' +
        'pgvector is not measured here (this machine has none for PostgreSQL).',
      '',
      '| Database | Interactions | mode | median (ms) | vs text |',
      '|---|---:|---|---:|---:|',
      ...results.flatMap((r) => r.rows),
      '',
      ...results.map((r) => `- ${r.note}`),
      '',
      `The ranking alone in the embedded database (${PGLITE_INTERACTIONS.toLocaleString('en-US')} interactions, ` +
        `${RECALL_QUERIES} random unit query vectors, limit 10, alternating, median ms): the exact scan casting ` +
        'every real[] (the ranking without stored vector columns) against the stored columns; recall@10 is the ' +
        'mean share of the exact top-10 found. The vectors are random, with no Matryoshka structure, so this ' +
        'recall is a floor: gemini-embedding-001 is trained so that its prefixes are embeddings too, so real ' +
        'vectors should lose less (not measured here: the bench has no real embeddings).',
      '',
      '| ranking | median (ms) | vs exact cast | recall@10 |',
      '|---|---:|---:|---:|',
      ...results.flatMap((r) => r.rankingRows),
      '',
    ].join('\n');
    writeBenchmark({ area: 'API', measure: 'Semantic search latency (npm run bench:semantic)', body });
  } finally {
    await fake.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
