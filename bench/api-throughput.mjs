// npm run bench:api — HTTP throughput and latency of the API's main read and write routes (autocannon, fixed
// concurrency, loopback only) next to a plain node:http + pg baseline doing the same SQL, so the result is a
// ratio that survives a noisy machine. Median of RUNS runs per scenario. Writes its block of BENCHMARKS.md (API:
// throughput). Needs the compiled server (npm run build; the npm script builds first) and runs under tsx (it
// imports the TypeScript BENCHMARKS.md writer). BENCH_SERVER_ENTRY=<entry file> measures another entry than the bundle
// (tsc's unbundled dist/apps/api/src/main.js names every frame of a profile).
//
// BENCH_COMPARE=<other build's entry file> is a same-run A/B instead: both servers and the baseline on one database,
// BENCH_ROUNDS rounds (default 5) of one run each per scenario, the three taken in an order rotated every round (a
// machine that slows down for a while costs each side alike); it reports the median of the rounds and, per round,
// this build's CPU per request over the other's. It writes nothing to BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, release } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, startPostgres } from '../test/support/postgres-harness.mjs';
import { pacedLoad } from './paced-load.mjs';
import { writeBenchmark } from '../tooling/benchmarks-file.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const POOL = 10;
/** The rate of the latency measures (paced, and autocannon's overallRate bursts): p95 at this many requests per second. */
const RATE = Number(process.env.BENCH_RATE ?? 500);
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
// BENCH_CPU_PROF=dir: the API server writes a V8 CPU profile (node --cpu-prof) of the whole run into dir.
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const MAIN = process.env.BENCH_SERVER_ENTRY ?? 'dist/server/main.js';
const COMPARE = process.env.BENCH_COMPARE;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function waitForLine(child, text, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start:\n${seen.slice(-2000)}`)),
      120_000,
    );
    const onData = (chunk) => {
      seen = (seen + chunk.toString()).slice(-4000);
      if (seen.includes(text)) {
        clearTimeout(timer);
        // From here the output is drained unread: scanning every access line would take CPU from the server.
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${seen.slice(-2000)}`));
    });
  });
}

async function request(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** One autocannon run; latencies are recorded per response so p95 is exact (autocannon reports p90/p97.5). */
function run(opts) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, result) =>
      err ? reject(err) : resolve({ result, latencies }),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/** CPU time (user + system, ms) the process has used so far, from /proc: steadier than req/s on a shared machine. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** A steady-rate run (bench/paced-load.mjs) with this bench's connections and duration. */
const paced = (opts) => pacedLoad({ connections: CONNECTIONS, duration: DURATION, ...opts });

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** The latency percentile of one run, ms. */
const runPercentile = ({ latencies }, p) =>
  percentile(
    [...latencies].sort((a, b) => a - b),
    p,
  );

/** `pid` is the server's process: its CPU over the measured runs is divided by the requests they got answered. */
async function measure(name, opts, pid, runner = run) {
  await runner({ ...opts, duration: 2 }); // warm-up (JIT, pool, plans)
  const runs = [];
  const cpuBefore = cpuMs(pid);
  for (let i = 0; i < RUNS; i++) runs.push(await runner(opts));
  const cpuSpent = cpuMs(pid) - cpuBefore;
  const answered = runs.reduce((n, { result: r }) => n + r.requests.total, 0);
  const non2xx = runs.reduce((n, { result: r }) => n + r.non2xx + r.errors + r.timeouts, 0);
  const pct = (p) => median(runs.map((one) => runPercentile(one, p))).toFixed(1);
  const figure = {
    name,
    rps: median(runs.map(({ result }) => result.requests.average)),
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    non2xx,
    cpuPerRequest: (cpuSpent / Math.max(1, answered)).toFixed(2),
  };
  process.stderr.write(
    `${name}: ${figure.rps.toFixed(0)} req/s, p50 ${figure.p50} ms, p95 ${figure.p95} ms, p99 ${figure.p99} ms, non-2xx ${non2xx}, CPU/req ${figure.cpuPerRequest} ms\n`,
  );
  return figure;
}

/** Starts an API server (`entry`) on the database; resolves once it listens. */
async function startApi(entry, databaseUrl, children) {
  const port = await freePort();
  const profileArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profileArgs, entry], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DB_POOL_SIZE: String(POOL),
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
      VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'mira-bench-')),
      // The production default: one JSON access line per request.
      LOG_LEVEL: 'info',
      // Limits stay ON (their cost is part of the figure) with budgets the benchmark cannot exhaust.
      RATE_LIMIT_READ: '10000000',
      RATE_LIMIT_WRITE: '10000000',
      RATE_LIMIT_NETWORK_READ: '10000000',
      RATE_LIMIT_NETWORK_WRITE: '10000000',
      RETENTION_SWEEP_ENABLED: 'false',
      TRANSCRIBER: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitForLine(child, 'server_listening', `API (${entry})`);
  return { child, pid: child.pid, base: `http://127.0.0.1:${port}`, exited };
}

/** The baseline server (node:http + pg, the same SQL) for this network. */
async function startBaseline(databaseUrl, networkId, children) {
  const port = await freePort();
  const child = spawn(process.execPath, ['bench/api-baseline-server.mjs'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      NETWORK_ID: networkId,
      POOL_SIZE: String(POOL),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  await waitForLine(child, 'baseline_listening', 'baseline');
  return { child, pid: child.pid, base: `http://127.0.0.1:${port}` };
}

/** A user, a network and 200 interactions, made through the API. */
async function seed(apiBase) {
  const user = await request(apiBase, 'POST', '/api/v1/auth/register', {
    email: 'bench@example.com',
    password: 'correct horse battery',
  });
  const token = user.access_token;
  const network = await request(apiBase, 'POST', '/api/v1/networks', { name: 'bench' }, token);
  for (let i = 0; i < 200; i++) {
    await request(
      apiBase,
      'POST',
      `/api/v1/${network.id}/interactions`,
      { interaction_type: 'text', content: `seed interaction ${i}` },
      token,
    );
  }
  return { token, networkId: network.id };
}

const WRITE_BODY = JSON.stringify({ interaction_type: 'text', content: 'benchmark write' });

/** autocannon options of the API's list (read) and create (write) requests. */
function apiRequests(apiBase, networkId, token) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const url = `${apiBase}/api/v1/${networkId}/interactions`;
  return {
    read: { url: `${url}?limit=20`, headers },
    write: { url, method: 'POST', headers, body: WRITE_BODY },
  };
}

/** The baseline's same two requests. */
function baselineRequests(baselineBase) {
  return {
    read: { url: `${baselineBase}/interactions` },
    write: {
      url: `${baselineBase}/interactions`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: WRITE_BODY,
    },
  };
}

/** One run of `opts` against the server `pid`: its figures and the server's CPU per answered request. */
async function measureOnce(opts, pid, runner = run) {
  const cpuBefore = cpuMs(pid);
  const one = await runner(opts);
  const cpuSpent = cpuMs(pid) - cpuBefore;
  const r = one.result;
  return {
    rps: r.requests.average,
    p50: runPercentile(one, 50),
    p95: runPercentile(one, 95),
    non2xx: r.non2xx + r.errors + r.timeouts,
    cpuPerRequest: cpuSpent / Math.max(1, r.requests.total),
  };
}

/**
 * BENCH_COMPARE: this build (A), the other build (B) and the baseline on one database. Per scenario a warm-up of each,
 * then ROUNDS rounds of one run each, the order rotated every round. Prints each round and a summary table.
 */
async function compare(databaseUrl, children) {
  const loadBefore = loadavg()[0];
  const a = await startApi(MAIN, databaseUrl, children);
  const b = await startApi(COMPARE, databaseUrl, children);
  const { token, networkId } = await seed(a.base);
  const baseline = await startBaseline(databaseUrl, networkId, children);
  const servers = [
    { label: 'A', name: `A ${MAIN}`, pid: a.pid, requests: apiRequests(a.base, networkId, token) },
    { label: 'B', name: `B ${COMPARE}`, pid: b.pid, requests: apiRequests(b.base, networkId, token) },
    { label: 'baseline', name: 'baseline', pid: baseline.pid, requests: baselineRequests(baseline.base) },
  ];
  const scenarios = [
    { name: `GET list, ${CONNECTIONS} connections`, kind: 'read', extra: {} },
    { name: `POST create, ${CONNECTIONS} connections`, kind: 'write', extra: {} },
    { name: `GET list in bursts of ${RATE} per second`, kind: 'read', extra: { overallRate: RATE } },
    { name: `POST create in bursts of ${RATE} per second`, kind: 'write', extra: { overallRate: RATE } },
    { name: `GET list at a steady ${RATE} req/s`, kind: 'read', extra: { overallRate: RATE }, runner: paced },
    {
      name: `POST create at a steady ${RATE} req/s`,
      kind: 'write',
      extra: { overallRate: RATE },
      runner: paced,
    },
  ];
  const summary = [];
  for (const scenario of scenarios) {
    const optsOf = (server) => ({ ...server.requests[scenario.kind], ...scenario.extra });
    const runner = scenario.runner ?? run;
    for (const server of servers) await runner({ ...optsOf(server), duration: 2 }); // warm-up (JIT, pool, plans)
    const figures = { A: [], B: [], baseline: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length]);
      const load = loadavg()[0];
      for (const server of order)
        figures[server.label].push(await measureOnce(optsOf(server), server.pid, runner));
      const at = (label) => figures[label][round];
      process.stderr.write(
        `${scenario.name} round ${round + 1} (order ${order.map((s) => s.label).join(' ')}, load ${load.toFixed(1)}): ` +
          servers
            .map(
              (s) =>
                `${s.label} ${at(s.label).rps.toFixed(0)} req/s p95 ${at(s.label).p95.toFixed(1)} ms CPU/req ${at(s.label).cpuPerRequest.toFixed(3)} ms`,
            )
            .join('; ') +
          `; A/B CPU ${(at('A').cpuPerRequest / at('B').cpuPerRequest).toFixed(2)}\n`,
      );
    }
    const med = (label, key) => median(figures[label].map((f) => f[key]));
    const ratios = figures.A.map((f, i) => f.cpuPerRequest / figures.B[i].cpuPerRequest);
    const vsBaseline = (label) => median(figures[label].map((f, i) => f.rps / figures.baseline[i].rps));
    summary.push({
      scenario: scenario.name,
      ...Object.fromEntries(
        ['A', 'B', 'baseline'].map((label) => [
          label,
          {
            rps: Math.round(med(label, 'rps')),
            p50: Number(med(label, 'p50').toFixed(1)),
            p95: Number(med(label, 'p95').toFixed(1)),
            cpuPerRequest: Number(med(label, 'cpuPerRequest').toFixed(3)),
            non2xx: figures[label].reduce((n, f) => n + f.non2xx, 0),
          },
        ]),
      ),
      aVsBaselineRps: Number(vsBaseline('A').toFixed(3)),
      bVsBaselineRps: Number(vsBaseline('B').toFixed(3)),
      cpuRatioRounds: ratios.map((r) => Number(r.toFixed(3))),
      cpuRatioMedian: Number(median(ratios).toFixed(3)),
      aLowerIn: ratios.filter((r) => r < 1).length,
    });
  }
  const loadAfter = loadavg()[0];
  const line = (s) =>
    `| ${s.scenario} | ${s.A.rps} | ${s.B.rps} | ${s.baseline.rps} | ${s.A.p95} | ${s.B.p95} | ${s.baseline.p95} | ` +
    `${s.A.cpuPerRequest} | ${s.B.cpuPerRequest} | ${s.baseline.cpuPerRequest} | ${(s.aVsBaselineRps * 100).toFixed(0)} % | ` +
    `${(s.bVsBaselineRps * 100).toFixed(0)} % | ${s.cpuRatioMedian} (${s.cpuRatioRounds.join(', ')}; lower in ${s.aLowerIn} of ${s.cpuRatioRounds.length}) |`;
  process.stdout.write(
    `A = ${MAIN}, B = ${COMPARE}; ${ROUNDS} rounds of ${DURATION} s per scenario, ${CONNECTIONS} connections, ` +
      `${new Date().toISOString().slice(0, 16)}Z, 1-minute load average ${loadBefore.toFixed(1)} before / ${loadAfter.toFixed(1)} after\n\n` +
      '| scenario | A req/s | B req/s | baseline req/s | A p95 ms | B p95 ms | baseline p95 ms | A CPU/req ms | ' +
      'B CPU/req ms | baseline CPU/req ms | A vs baseline | B vs baseline | A/B CPU/req, median (rounds) |\n' +
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n' +
      `${summary.map(line).join('\n')}\n\n${JSON.stringify({ compare: COMPARE, entry: MAIN, rounds: ROUNDS, loadBefore, loadAfter, summary })}\n`,
  );
  if (PROFILE_DIR) {
    // A graceful stop (SIGTERM) lets node write the profiles.
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
  }
}

async function main() {
  const loadBefore = loadavg()[0];
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build`);
  if (COMPARE && !existsSync(COMPARE)) throw new Error(`BENCH_COMPARE=${COMPARE} does not exist`);
  const cluster = await startPostgres();
  const children = [];
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE mira_bench');
    const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
    await admin.end();
    const url = new URL(cluster.url);
    url.pathname = '/mira_bench';
    const databaseUrl = url.toString();
    if (COMPARE) {
      await compare(databaseUrl, children);
      return;
    }

    const api = await startApi(MAIN, databaseUrl, children);
    const apiBase = api.base;
    const { token, networkId } = await seed(apiBase);
    const baseline = await startBaseline(databaseUrl, networkId, children);
    const apiOpts = apiRequests(apiBase, networkId, token);
    const baseOpts = baselineRequests(baseline.base);

    const scenarios = {
      apiRead: {
        name: 'API GET /api/v1/{network_id}/interactions?limit=20',
        pid: api.pid,
        opts: apiOpts.read,
      },
      baseRead: { name: 'baseline GET (same SELECT)', pid: baseline.pid, opts: baseOpts.read },
      apiWrite: { name: 'API POST /api/v1/{network_id}/interactions', pid: api.pid, opts: apiOpts.write },
      baseWrite: { name: 'baseline POST (same INSERT)', pid: baseline.pid, opts: baseOpts.write },
    };
    const figures = {};
    for (const [key, { name, pid, opts }] of Object.entries(scenarios))
      figures[key] = await measure(name, opts, pid);
    // The same requests at a steady rate (paced): latency at that load; then autocannon's overallRate, whose bursts
    // of all connections at full speed the earlier figures "at 500 req/s" were.
    const atRate = {};
    const inBursts = {};
    for (const key of ['apiRead', 'apiWrite', 'baseRead', 'baseWrite']) {
      const { name, pid, opts } = scenarios[key];
      atRate[key] = await measure(`${name} at ${RATE} req/s`, { ...opts, overallRate: RATE }, pid, paced);
    }
    for (const key of ['apiRead', 'apiWrite', 'baseRead', 'baseWrite']) {
      const { name, pid, opts } = scenarios[key];
      inBursts[key] = await measure(
        `${name} in bursts of ${RATE} per second`,
        { ...opts, overallRate: RATE },
        pid,
      );
    }

    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}, PostgreSQL ${pgVersion} (local, fsync off)`;
    const row = (f, base) =>
      `| ${f.name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p95} | ${f.p99} | ${f.non2xx} | ${f.cpuPerRequest} | ${base ? `${((f.rps / base.rps) * 100).toFixed(0)} %` : '100 %'} |`;
    const rateRow = (f) =>
      `| ${f.name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p95} | ${f.p99} | ${f.non2xx} | ${f.cpuPerRequest} |`;
    const section = `\`npm run bench:api\` (bench/api-throughput.mjs): autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, median of
${RUNS} runs after a 2 s warm-up, loopback only. The API is the built server (\`node dist/server/main.js\`, as \`npm start\` runs it,
NODE_ENV=production, rate limiter and security headers ON with budgets the run cannot exhaust, LOG_LEVEL=info
(one access line per request, as deployed),
pool ${POOL}) on a throwaway PostgreSQL cluster seeded with 200 interactions. The baseline is plain \`node:http\` + \`pg\`
(bench/api-baseline-server.mjs) running the same SQL with no auth, validation, rate limiting or logging: the
ratio is the price of the framework and the protections, and it survives a noisy machine better than raw numbers.
CPU/req is the server process's user + system CPU (from /proc) over the measured runs divided by the requests
answered: steadier than req/s when other jobs share the machine. Load generator, API and PostgreSQL share the machine.

Machine: ${machine}. Run: ${new Date().toISOString().slice(0, 16)}Z, 1-minute load average ${loadBefore.toFixed(1)} before / ${loadavg()[0].toFixed(1)} after (other work on the machine).

As fast as ${CONNECTIONS} connections go:

| Scenario | req/s | p50 ms | p95 ms | p99 ms | non-2xx | CPU/req ms | vs baseline |
|---|---:|---:|---:|---:|---:|---:|---:|
${row(figures.apiRead, figures.baseRead)}
${row(figures.baseRead)}
${row(figures.apiWrite, figures.baseWrite)}
${row(figures.baseWrite)}

At a steady ${RATE} req/s (one request every ${(1000 / RATE).toFixed(1)} ms over up to ${CONNECTIONS} keep-alive connections, open loop: a request
due while all are busy waits, and the wait is part of its latency; req/s is the rate achieved):

| Scenario | req/s | p50 ms | p95 ms | p99 ms | non-2xx | CPU/req ms |
|---|---:|---:|---:|---:|---:|---:|
${rateRow(atRate.apiRead)}
${rateRow(atRate.baseRead)}
${rateRow(atRate.apiWrite)}
${rateRow(atRate.baseWrite)}

In bursts of ${RATE} per second (autocannon \`overallRate\`: each connection sends its share of a second's requests as fast as
they are answered, then waits for the next second, so each second starts with all ${CONNECTIONS} connections at full speed):

| Scenario | req/s | p50 ms | p95 ms | p99 ms | non-2xx | CPU/req ms |
|---|---:|---:|---:|---:|---:|---:|
${rateRow(inBursts.apiRead)}
${rateRow(inBursts.baseRead)}
${rateRow(inBursts.apiWrite)}
${rateRow(inBursts.baseWrite)}
`;
    if (PROFILE_DIR) {
      // A graceful stop (SIGTERM) lets node write the profile; the figures above are not affected.
      api.child.kill('SIGTERM');
      await api.exited;
    }
    // The block documents the bundle `npm start` runs: another entry's figures are printed only.
    if (process.env.BENCH_NO_WRITE !== '1' && process.env.BENCH_SERVER_ENTRY === undefined)
      writeBenchmark({ area: 'API', measure: 'Throughput (npm run bench:api)', body: section });
    process.stdout.write(section);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    cluster.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
