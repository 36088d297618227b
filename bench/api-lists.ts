/**
 * Domain API list latency on a network with 100,000 interactions (npm run bench:api:lists).
 *
 * Boots the real app on PostgreSQL (DATABASE_URL, or a throwaway cluster from test/support/postgres-harness.mjs),
 * seeds through SQL (fast bulk insert), then measures p50/p95 of the list endpoints over HTTP on loopback:
 * several runs, the median of each figure is reported. Writes its block of BENCHMARKS.md (API: list latency).
 *
 * Options (env): BENCH_INTERACTIONS (100000), BENCH_REQUESTS per endpoint per run (200), BENCH_RUNS (3),
 * BENCH_KEEP_DATABASE=1 (with DATABASE_URL: leaves the seeded database in place and prints its URL, for EXPLAIN
 * ANALYZE by hand; BENCH_RUNS=0 then only seeds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AppConfig, AppLogger, encodeCursor } from '@mira/core';
import { createApp } from '../apps/api/src/app.factory.js';
import { writeBenchmark } from '../tooling/benchmarks-file.js';
import { benchDatabase } from './bench-database.js';

const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const KEEP_DATABASE = process.env.BENCH_KEEP_DATABASE === '1' && Boolean(process.env.DATABASE_URL);
const WARMUP = 20;
const PERSONS = 20;
const CONVERSATIONS = 500;
/** Words in the seeded vocabulary (stop words first). */
const VOCABULARY = 20_000;
const STOP_WORDS = [
  'i',
  'you',
  'the',
  'a',
  'to',
  'and',
  'it',
  'that',
  'of',
  'is',
  'in',
  'we',
  'this',
  'was',
  'so',
  'for',
  'have',
  'on',
  'what',
  'be',
  'with',
  'do',
  'not',
  'are',
  'they',
  'but',
  'my',
  'me',
  'at',
  'he',
  'there',
  'can',
  'all',
  'if',
  'about',
  'no',
  'she',
  'her',
  'him',
  'our',
];

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const database = await benchDatabase();
  const dbUrl = new URL(database.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-bench-'));

  const config = AppConfig.fromEnvironment(
    {},
    {
      NODE_ENV: 'test',
      DATABASE_URL: dbUrl.toString(),
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      // Thousands of sequential requests from one caller measure latency, not the limiter (which would answer 429).
      RATE_LIMIT_ENABLED: 'false',
      // Seeding 150,000 rows can outlast the default 15-minute access token on a busy machine.
      JWT_ACCESS_TTL_SECONDS: '86400',
    },
  );
  const app = await createApp(config, new AppLogger('error', true));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const db = new pg.Client({ connectionString: dbUrl.toString() });
  await db.connect();

  try {
    const json = async (method: string, path: string, body?: object, token?: string) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const reg = await json('POST', '/api/v1/auth/register', {
      email: 'bench@example.com',
      password: 'bench password 1',
    });
    const token = reg.access_token as string;
    const nid = (await json('POST', '/api/v1/networks', { name: 'Bench' }, token)).id as string;
    const noise = (await json('POST', '/api/v1/networks', { name: 'Noise' }, token)).id as string;

    const seedStarted = Date.now();
    // What people say, for search: English stop words at the top ranks (the english configuration drops them, as it
    // drops them from real transcripts), then made-up words; each word drawn with Zipf's law (rank r with
    // probability ∝ 1/r), 6 to 23 words per interaction.
    // The vocabulary is a table of (rank, word) joined by rank: subscripting one 20,000-element array per drawn word
    // detoasts the whole array each time (that made seeding 100,000 interactions take 20 minutes).
    await db.query(
      `CREATE TEMP TABLE bench_vocabulary AS
       SELECT $1::text[] || array_agg(s[1 + g % 28] || s[1 + (g / 28) % 28] || s[1 + (g / 784) % 28] ORDER BY g) AS words
       FROM generate_series(0, $2 - 1 - cardinality($1::text[])) g,
            (SELECT ARRAY['ba','de','fi','go','hu','ja','ke','li','mo','nu','pa','re','si','to','vu',
                          'wa','ze','ko','ra','ni','so','ta','le','mi','no','pu','ri','se'] AS s) syllables`,
      [STOP_WORDS, VOCABULARY],
    );
    await db.query(
      `CREATE TEMP TABLE bench_words AS
       SELECT w.rank::int AS rank, w.word FROM bench_vocabulary v, unnest(v.words) WITH ORDINALITY AS w(word, rank)`,
    );
    await db.query('ALTER TABLE bench_words ADD PRIMARY KEY (rank)');
    for (const [network, interactions] of [
      [nid, INTERACTIONS],
      [noise, Math.round(INTERACTIONS / 2)],
    ] as const) {
      await db.query(`INSERT INTO person_counters (network_id, last_index) VALUES ($1, $2)`, [
        network,
        PERSONS,
      ]);
      await db.query(
        `INSERT INTO persons (network_id, "index", name) SELECT $1, g, 'Person ' || g FROM generate_series(1, $2) g`,
        [network, PERSONS],
      );
      // Conversations every 10 minutes, newest now; interactions spread evenly over them.
      await db.query(
        `INSERT INTO conversations (network_id, title, started_at, ended_at, is_active)
         SELECT $1, 'Conversation ' || g, now() - (($2 - g) * interval '10 minutes'),
                now() - (($2 - g) * interval '10 minutes') + interval '5 minutes', g = $2
         FROM generate_series(1, $2) g`,
        [network, CONVERSATIONS],
      );
      await db.query(
        `WITH p AS (SELECT array_agg(id ORDER BY "index") a FROM persons WHERE network_id = $1),
              c AS (SELECT array_agg(id ORDER BY started_at) a FROM conversations WHERE network_id = $1)
         INSERT INTO conversation_participants (network_id, conversation_id, person_id)
         SELECT DISTINCT $1, c.a[g], p.a[1 + (g % $2)] FROM p, c, generate_series(1, $3) g
         UNION SELECT $1, c.a[g], p.a[1 + ((g + 1) % $2)] FROM p, c, generate_series(1, $3) g`,
        [network, PERSONS, CONVERSATIONS],
      );
      await db.query(
        `WITH p AS (SELECT array_agg(id ORDER BY "index") a FROM persons WHERE network_id = $1),
              c AS (SELECT array_agg(id ORDER BY started_at) a, array_agg(started_at ORDER BY started_at) s
                    FROM conversations WHERE network_id = $1),
              drawn AS (SELECT g, k, floor(power($5::float8, random()))::int AS rank
                        FROM generate_series(1, $4) g, generate_series(1, 6 + g % 18) k),
              said AS (SELECT d.g, string_agg(w.word, ' ' ORDER BY d.k) AS content
                       FROM drawn d JOIN bench_words w ON w.rank = d.rank GROUP BY d.g)
         INSERT INTO interactions (network_id, person_id, conversation_id, content, interaction_type, occurred_at,
                                   transcription_status, processing_status)
         SELECT $1, p.a[1 + (g % $2)], c.a[1 + ((g - 1) * $3 / $4)],
                said.content, (ARRAY['audio','audio','audio','text','system'])[1 + g % 5],
                c.s[1 + ((g - 1) * $3 / $4)] + ((g % ($4 / $3)) * interval '1 second'),
                'transcribed', 'done'
         FROM p, c, said WHERE said.g >= 1`,
        [network, PERSONS, CONVERSATIONS, interactions, VOCABULARY],
      );
    }
    // What autovacuum does in production: statistics and the visibility map (index-only counts). VACUUM marks a page
    // all-visible only once its rows' commits are known durable (their hint bits can be set): the throwaway cluster
    // runs synchronous_commit=off, so right after the seed a VACUUM left every page of the freshly written rows unmarked
    // and each offset skipped through the table (50,000 heap fetches at offset=50000). One synchronous commit
    // flushes the WAL up to it, the seed's commits included, as every commit does in production.
    await db.query('SET synchronous_commit = on');
    await db.query('SELECT txid_current()');
    await db.query('VACUUM ANALYZE');
    const visibility = (
      await db.query(`SELECT relallvisible, relpages FROM pg_class WHERE relname = 'interactions'`)
    ).rows[0] as { relallvisible: number; relpages: number };
    const seedSeconds = (Date.now() - seedStarted) / 1000;

    const person = (await db.query(`SELECT id FROM persons WHERE network_id = $1 AND "index" = 7`, [nid]))
      .rows[0].id;
    const conversation = (
      await db.query(
        `SELECT id FROM conversations WHERE network_id = $1 ORDER BY started_at DESC OFFSET 3 LIMIT 1`,
        [nid],
      )
    ).rows[0].id;
    // The cursor a client holds after walking 50,000 interactions (newest first): the position of the 50,000th.
    const deep = (
      await db.query(
        `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key, id FROM interactions
         WHERE network_id = $1 ORDER BY occurred_at DESC, id DESC OFFSET 49999 LIMIT 1`,
        [nid],
      )
    ).rows[0] as { key: string; id: string };
    const deepCursor = encodeCursor({ networkId: nid, sort: 'occurred_at', order: 'desc' }, deep);
    const since = (await db.query(`SELECT (now() - interval '2 days') AS t`)).rows[0].t.toISOString();
    const until = (await db.query(`SELECT (now() - interval '1 day') AS t`)).rows[0].t.toISOString();

    const endpoints: Array<[string, string]> = [
      ['v1 interactions (newest 50)', `/api/v1/${nid}/interactions?limit=50`],
      ['v1 interactions by person_id', `/api/v1/${nid}/interactions?person_id=${person}&limit=50`],
      [
        'v1 interactions by conversation_id',
        `/api/v1/${nid}/interactions?conversation_id=${conversation}&limit=50`,
      ],
      [
        'v1 interactions by interaction_type=text',
        `/api/v1/${nid}/interactions?interaction_type=text&limit=50`,
      ],
      [
        'v1 interactions since/until (1 day)',
        `/api/v1/${nid}/interactions?since=${since}&until=${until}&limit=50`,
      ],
      ['v1 interactions offset=5000', `/api/v1/${nid}/interactions?limit=50&offset=5000`],
      ['v1 interactions offset=50000', `/api/v1/${nid}/interactions?limit=50&offset=50000`],
      ['v1 interactions cursor at depth 50000', `/api/v1/${nid}/interactions?limit=50&cursor=${deepCursor}`],
      [
        'v2 interactions cursor at depth 50000 (with total)',
        `/api/v2/${nid}/interactions?limit=50&cursor=${deepCursor}`,
      ],
      ['v2 interactions envelope (with total)', `/api/v2/${nid}/interactions?limit=50`],
      [
        'v2 interactions by person_id (with total)',
        `/api/v2/${nid}/interactions?person_id=${person}&limit=50`,
      ],
      ['v2 interactions oldest first', `/api/v2/${nid}/interactions?order=asc&limit=50`],
      [
        'v2 interactions by interaction_type=text (with total)',
        `/api/v2/${nid}/interactions?interaction_type=text&limit=50`,
      ],
      ['v1 persons (20, with counts)', `/api/v1/${nid}/persons?limit=20`],
      ['v2 persons (20, with counts)', `/api/v2/${nid}/persons?limit=20`],
      ['v1 conversations (newest 10)', `/api/v1/${nid}/conversations?limit=10`],
      ['v2 conversations (newest 10, with total)', `/api/v2/${nid}/conversations?limit=10`],
    ];

    // Search: words of several frequencies (how many of the network's interactions contain each is in the label).
    const vocabulary = (await db.query('SELECT words FROM bench_vocabulary')).rows[0].words as string[];
    const wordAt = (rank: number) => vocabulary[rank - 1]!;
    const containing = async (q: string) =>
      Number(
        (
          await db.query(
            `SELECT count(*) AS n FROM interactions
             WHERE network_id = $1 AND search_vector @@ websearch_to_tsquery('english', $2)`,
            [nid, q],
          )
        ).rows[0].n,
      );
    const searches: Array<[string, string, string]> = [
      ['search: most frequent word', wordAt(STOP_WORDS.length + 1), ''],
      ['search: common word', wordAt(200), ''],
      ['search: less common word', wordAt(2000), ''],
      ['search: rare word', wordAt(15_000), ''],
      ['search: two common words (both)', `${wordAt(60)} ${wordAt(150)}`, ''],
      ['search: most frequent word, one person', wordAt(STOP_WORDS.length + 1), `&person_id=${person}`],
      ['search: common word, since/until (1 day)', wordAt(200), `&since=${since}&until=${until}`],
      ['search: no match', 'zzyzx', ''],
    ];
    const searchEndpoints: Array<[string, string]> = [];
    for (const [label, q, filter] of searches) {
      const n = await containing(q);
      searchEndpoints.push([
        `${label} (in ${n.toLocaleString('en-US')} interactions)`,
        `/api/v1/${nid}/interactions/search?q=${encodeURIComponent(q)}&limit=20${filter}`,
      ]);
    }
    endpoints.push(...searchEndpoints);

    if (RUNS === 0) return;
    const figures = new Map<string, { p50: number[]; p95: number[] }>();
    for (let run = 0; run < RUNS; run += 1) {
      for (const [label, path] of endpoints) {
        const times: number[] = [];
        for (let i = 0; i < WARMUP + REQUESTS; i += 1) {
          const started = process.hrtime.bigint();
          const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${path} -> ${res.status}`);
          if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        times.sort((x, y) => x - y);
        const f = figures.get(label) ?? { p50: [], p95: [] };
        f.p50.push(percentile(times, 50));
        f.p95.push(percentile(times, 95));
        figures.set(label, f);
      }
      process.stdout.write(`run ${run + 1}/${RUNS} done\n`);
    }

    // Which index serves each interactions list query (the SQL the repository issues, in plain form).
    const plans: Array<[string, string, unknown[]]> = [
      [
        'newest',
        `SELECT * FROM interactions WHERE network_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 50`,
        [nid],
      ],
      [
        'by person',
        `SELECT * FROM interactions WHERE network_id = $1 AND person_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT 50`,
        [nid, person],
      ],
      [
        'by conversation',
        `SELECT * FROM interactions WHERE network_id = $1 AND conversation_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT 50`,
        [nid, conversation],
      ],
      [
        'by type',
        `SELECT * FROM interactions WHERE network_id = $1 AND interaction_type = $2 ORDER BY occurred_at DESC, id DESC LIMIT 50`,
        [nid, 'text'],
      ],
      [
        'conversations',
        `SELECT * FROM conversations WHERE network_id = $1 ORDER BY started_at DESC, id DESC LIMIT 10`,
        [nid],
      ],
      // The candidate step of InteractionSearchRepository.textMatches (newest matches first, capped).
      ...[
        ['search, most frequent word', wordAt(STOP_WORDS.length + 1), ''],
        ['search, rare word', wordAt(15_000), ''],
        ['search, most frequent word, one person', wordAt(STOP_WORDS.length + 1), person as string],
      ].map(([label, word, by]): [string, string, unknown[]] => [
        label!,
        `SELECT id FROM interactions WHERE network_id = $1
           AND search_vector @@ websearch_to_tsquery(mira_search_config('en'), '${word}')
           ${by ? `AND person_id = '${by}'` : ''}
         ORDER BY occurred_at DESC, id DESC LIMIT 300`,
        [nid],
      ]),
    ];
    const indexes: string[] = [];
    for (const [label, sql, params] of plans) {
      const rows = (await db.query(`EXPLAIN ${sql}`, params)).rows as Array<{ 'QUERY PLAN': string }>;
      const used =
        rows
          .map((r) => r['QUERY PLAN'])
          .join(' ')
          .match(/(?:using|Bitmap Index Scan on) (\w+)/i)?.[1] ?? 'no index (seq scan)';
      indexes.push(`${label}: \`${used}\``);
    }

    const pgVersion = (await db.query('SHOW server_version')).rows[0].server_version as string;
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ');
    const cpu = cpus();
    const lines = [
      `Network with ${INTERACTIONS.toLocaleString('en-US')} interactions (${PERSONS} persons, ${CONVERSATIONS} conversations) ` +
        `plus a second network with ${Math.round(INTERACTIONS / 2).toLocaleString('en-US')} interactions in the same tables. ` +
        `Real app over HTTP on loopback, one client, sequential requests; ${REQUESTS} requests per endpoint per run after ` +
        `${WARMUP} warm-up requests; median of ${RUNS} runs. Milliseconds, client-side (includes HTTP, auth guard, JSON).`,
      '',
      `- Command: \`npm run bench:api:lists\` (env: BENCH_INTERACTIONS=${INTERACTIONS}, BENCH_REQUESTS=${REQUESTS}, BENCH_RUNS=${RUNS})`,
      `- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}, ` +
        `Node ${process.version}, PostgreSQL ${pgVersion} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'throwaway cluster, fsync off'}); ` +
        `load average at the end (1/5/15 min): ${load} — the machine was shared with other jobs, so treat the ` +
        'figures as indicative',
      `- Date: ${new Date().toISOString().slice(0, 10)}; seeding took ${seedSeconds.toFixed(1)} s (SQL bulk insert); ` +
        `after VACUUM ANALYZE ${visibility.relallvisible} of ${visibility.relpages} pages of interactions all-visible`,
      `- Index chosen by PostgreSQL (EXPLAIN): ${indexes.join('; ')}`,
      '',
      'Reading: every list is served by an index that starts with network_id (above), so the page itself does not ' +
        "grow with the network. The v2 envelope's `total` (whole network, one person, one conversation, one type) and " +
        "persons' and conversations' `interaction_count` are read from interaction_counts, the counters triggers " +
        'keep with every write, so they do not grow either; a total under another filter is counted. Offsets skip ' +
        'index entries (index-only), then read the page: O(offset) in index entries, not rows; a cursor starts at ' +
        'its position in the same index (constant cost at any depth). ' +
        'Search ranks the 300 newest matches: for a frequent word PostgreSQL walks the newest interactions until it ' +
        "has them, for a rarer word or one person's search it reads the GIN index (network_id, person_id, " +
        "search_vector), which intersects the network's, the person's and the words' postings; the content is " +
        'Zipf-distributed ' +
        'made-up words after English stop words (seeded in SQL), which the english configuration indexes like words.',
      '',
      '| Endpoint | p50 (ms) | p95 (ms) |',
      '|---|---:|---:|',
      ...[...figures].map(
        ([label, f]) => `| ${label} | ${median(f.p50).toFixed(1)} | ${median(f.p95).toFixed(1)} |`,
      ),
      '',
    ];
    const section = lines.join('\n');
    process.stdout.write(`${section}\n`);
    writeBenchmark({ area: 'API', measure: 'List latency (npm run bench:api:lists)', body: section });
  } finally {
    await db.end();
    await app.close();
    if (KEEP_DATABASE) process.stdout.write(`seeded database kept: ${dbUrl.toString()}\n`);
    await database.release({ keep: KEEP_DATABASE });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
