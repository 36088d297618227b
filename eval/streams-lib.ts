/**
 * Shared tooling for eval/arbitration.eval.ts and bench/streams.bench.ts (not product code).
 *
 * Starts the REAL compiled server (dist/, `npm run build` first) as a child process on a throwaway PostgreSQL
 * (test/support/postgres-harness.mjs) or DATABASE_URL, and talks to it over HTTP on loopback like a device would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { encodeWav16 } from '@mira/core';
import { ensureFfmpeg } from '../tooling/ffmpeg.js';

export const SR = 16000;

export interface Server {
  baseUrl: string;
  db: pg.Pool;
  pid: number;
  stop(): Promise<void>;
}

interface Cluster {
  url: string;
  stop(): void;
}

/**
 * PostgreSQL + the built app (node dist/server/main.js, as `npm start` runs it, or BENCH_SERVER_ENTRY: another build to compare
 * with) with `env` on top of sane defaults.
 */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const entry = process.env.BENCH_SERVER_ENTRY ?? 'dist/server/main.js';
  if (!existsSync(entry)) throw new Error(`${entry} missing: run \`npm run build\` first`);
  let cluster: Cluster | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const harness = (await import(pathToFileURL(resolve('test/support/postgres-harness.mjs')).href)) as {
      startPostgres(): Promise<Cluster>;
    };
    cluster = await harness.startPostgres();
    adminUrl = cluster.url;
  }
  const name = `mira_eval_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  await admin.end();
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-eval-'));
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server only (e.g. `--cpu-prof --cpu-prof-dir=.tmp/prof`).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, entry], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: 'eval-secret-that-is-long-enough-for-hs256-signing',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.SERVER_LOGS ? 'info' : 'warn',
      ...env,
    },
    stdio: ['ignore', process.env.SERVER_LOGS ? 'inherit' : 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('server did not start within 120 s');
    await sleep(250);
  }
  const db = new pg.Pool({ connectionString: dbUrl.toString(), max: 3 });
  return {
    baseUrl,
    db,
    pid: child.pid as number,
    async stop() {
      await db.end();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      cluster?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function json(res: Response): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A user, a network and `clients` registered devices (tokens). */
export async function setupNetwork(
  baseUrl: string,
  clients: string[],
  session?: { auth: string },
): Promise<{ networkId: string; tokens: Record<string, string>; auth: string }> {
  let auth = session?.auth;
  if (!auth) {
    const reg = await json(
      await fetch(`${baseUrl}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `eval-${randomBytes(6).toString('hex')}@example.com`,
          password: 'eval pass 123',
        }),
      }),
    );
    auth = `Bearer ${reg.access_token as string}`;
  }
  const net = await json(
    await fetch(`${baseUrl}/api/v1/networks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ name: 'eval' }),
    }),
  );
  const networkId = net.id as string;
  const tokens: Record<string, string> = {};
  for (const c of clients) {
    const r = await json(
      await fetch(`${baseUrl}/api/v1/${networkId}/service/client/register/${c}`, {
        method: 'POST',
        headers: { authorization: auth },
      }),
    );
    tokens[c] = r.client_token as string;
  }
  return { networkId, tokens, auth };
}

/** POST one chunk; returns status, body and the client-side latency in ms. */
export async function postChunk(
  baseUrl: string,
  networkId: string,
  token: string,
  streamId: string,
  samples: Float32Array,
  timestampMs: number,
  seq?: number,
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const form = new FormData();
  form.append(
    'audio_data',
    new Blob([new Uint8Array(encodeWav16(samples, SR))], { type: 'audio/wav' }),
    'chunk.wav',
  );
  form.append('timestamp', String(Math.round(timestampMs)));
  if (seq !== undefined) form.append('seq', String(seq));
  const started = performance.now();
  const res = await fetch(`${baseUrl}/api/v1/${networkId}/streams/${streamId}/audio`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, ms: performance.now() - started };
}

/** FLAC → 16 kHz mono float32 with ffmpeg (tooling only; the product decodes with its own AudioModule). */
export function decodeFlac(path: string): Float32Array {
  ensureFfmpeg();
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-f', 'f32le', '-ac', '1', '-ar', String(SR), '-'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${path}: ${r.stderr.toString()}`);
  const buf = r.stdout as Buffer;
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

export function power(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return s / Math.max(1, to - from);
}

export const percentile = (values: number[], p: number): number => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const median = (values: number[]) => percentile(values, 50);
