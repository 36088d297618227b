// npm run bench:boot — start to ready of the built server on PostgreSQL with the audio models loaded: the time
// from spawning `node dist/server/main.js` (what `npm start` and the image run) until it logs `server_listening` (the
// port is open, migrations are checked and every model session is created before that line), then a check that
// /health/detailed reports the models loaded. The first start migrates an empty database; the later ones find it up
// to date (a redeploy). Median of BENCH_RUNS warm starts. BENCH_CPU_PROF=dir writes a V8 CPU profile of each start
// into dir. BENCH_COMPARE=<other entry file> (e.g. another checkout's build) starts it too, alternating with the
// bundled server on the same database, for a same-run before/after. Writes its block of BENCHMARKS.md (API: start to
// ready) unless BENCH_NO_WRITE=1 or BENCH_COMPARE is set.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freePort, startPostgres } from '../test/support/postgres-harness.mjs';
import { writeBenchmark } from '../tooling/benchmarks-file.ts';
import { fillModelDirFromMirror } from '../tooling/shared-data.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAIN = 'dist/server/main.js';
const COMPARE = process.env.BENCH_COMPARE;
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

/** CPU time (user + system, every thread) a process has used so far, in ms; null where /proc is missing. */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (12 and 13 after the command name), in clock ticks (100 per s)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function startOnce(databaseUrl, modelDir, entry = MAIN) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), entry],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
        VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'mira-boot-')),
        MODEL_DIR: modelDir,
        METRICS_TOKEN,
        LOG_LEVEL: 'info',
        RETENTION_SWEEP_ENABLED: 'false',
        TRANSCRIBER: 'none',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let seen = '';
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no server_listening in 180 s:\n${seen.slice(-2000)}`)),
      180_000,
    );
    const onData = (chunk) => {
      seen = (seen + chunk.toString()).slice(-8000);
      if (seen.includes('server_listening')) {
        clearTimeout(timer);
        resolve({ ms: performance.now() - started, cpuMs: cpuMsOf(child.pid) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${seen.slice(-2000)}`)));
  });
  const health = await (
    await fetch(`http://127.0.0.1:${port}/health/detailed`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
  ).json();
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { ...ready, health };
}

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/server is missing: run npm run build');
  if (COMPARE && !existsSync(COMPARE)) throw new Error(`BENCH_COMPARE=${COMPARE} does not exist`);
  const modelDir = await fillModelDirFromMirror(join(process.cwd(), '.tmp', 'bench-models'));
  const loadBefore = loadavg()[0];
  const cluster = await startPostgres();
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE mira_boot');
    await admin.end();
    const url = new URL(cluster.url);
    url.pathname = '/mira_boot';
    const first = await startOnce(url.toString(), modelDir);
    process.stderr.write(`first start (migrates): ${first.ms.toFixed(0)} ms\n`);
    const warm = [];
    const compared = [];
    let health = first.health;
    const describe = (run) => `${run.ms.toFixed(0)} ms (CPU ${run.cpuMs ?? '?'} ms)`;
    for (let i = 0; i < RUNS; i++) {
      if (COMPARE) {
        const other = await startOnce(url.toString(), modelDir, COMPARE);
        compared.push(other);
        process.stderr.write(`start ${i + 1} of ${COMPARE}: ${describe(other)}\n`);
      }
      const run = await startOnce(url.toString(), modelDir);
      warm.push(run);
      health = run.health;
      process.stderr.write(`start ${i + 1}: ${describe(run)}\n`);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const wallOf = (runs) => runs.map((r) => Math.round(r.ms));
    const cpuOf = (runs) => runs.map((r) => r.cpuMs).filter((ms) => ms !== null);
    if (COMPARE) {
      console.log(
        JSON.stringify({
          compare: COMPARE,
          compare_median_ms: median(wallOf(compared)),
          compare_median_cpu_ms: median(cpuOf(compared)),
          compare_runs_ms: wallOf(compared),
          bundled_median_ms: median(wallOf(warm)),
          bundled_median_cpu_ms: median(cpuOf(warm)),
          bundled_runs_ms: wallOf(warm),
          load_before: loadBefore,
          load_after: loadavg()[0],
        }),
      );
    }
    const sorted = wallOf(warm).sort((a, b) => a - b);
    const result = {
      first_ms: Math.round(first.ms),
      median_ms: sorted[Math.floor(sorted.length / 2)],
      min_ms: sorted[0],
      max_ms: sorted[sorted.length - 1],
      median_cpu_ms: median(cpuOf(warm)),
      runs: RUNS,
      load_before: loadBefore,
      load_after: loadavg()[0],
      engines: Object.entries(health.checks ?? {})
        .filter(([name]) => name.startsWith('audio_'))
        .map(([name, c]) => `${name.slice(6)} ${c.model ?? c.engine} (${c.status})`)
        .join(', '),
    };
    console.log(JSON.stringify(result, null, 2));
    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;
    const body = `\`npm run bench:boot\` (bench/boot.bench.mjs): \`node dist/server/main.js\` (built once by \`npm run build\`: tsc,
then esbuild bundles tsc's output; \`npm start\` and the image run the same file and compile nothing) on a throwaway
PostgreSQL cluster, NODE_ENV=production, every
model of the manifest in MODEL_DIR. Start to ready = from spawning the process to its \`server_listening\` line: modules
loaded, configuration validated, migrations checked, every ONNX session created, routes mapped, port open. The first
start migrates an empty database; the others find it up to date (a redeploy). Median of ${RUNS} warm starts.

Machine: ${machine}. Run: ${new Date().toISOString().slice(0, 16)}Z, 1-minute load average ${result.load_before.toFixed(1)} before / ${result.load_after.toFixed(1)} after (other work on the machine).

| start | ms |
|---|---:|
| first start (applies every migration) | ${result.first_ms} |
| warm start, median of ${RUNS} | ${result.median_ms} |
| warm start, fastest / slowest | ${result.min_ms} / ${result.max_ms} |
| CPU time to ready (every thread), median of the warm starts | ${result.median_cpu_ms ?? 'n/a'} |

Engines ready at the end of each start (/health/detailed): ${result.engines}
`;
    if (process.env.BENCH_NO_WRITE !== '1' && !COMPARE)
      writeBenchmark({ area: 'API', measure: 'Start to ready (npm run bench:boot)', body });
  } finally {
    cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
