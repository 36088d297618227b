import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { DIST_MAIN, ROOT } from './build.js';

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Every JSON log line the server printed so far, in order. */
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The built server (`node dist/server/main.js`, as `npm start` and the image run it) on a loopback port. */
export async function startServerProcess(
  env: Record<string, string>,
  bootTimeoutMs = 120_000,
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [DIST_MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ message: 'non_json', text: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), bootTimeoutMs);
    const check = setInterval(() => {
      if (lines.some((l) => l.message === 'server_listening')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    void exited.then(({ code }) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
  });
  await listening;
  return { child, port, baseUrl: `http://127.0.0.1:${port}`, lines, exited, stderr: () => stderr };
}

/** Waits for the process to exit; SIGKILLs it after `boundMs` so a hung test cannot hang the suite. */
export async function waitForExit(server: ServerProcess, boundMs: number) {
  const timer = setTimeout(() => server.child.kill('SIGKILL'), boundMs);
  try {
    return await server.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A JSON request to a server process with a bound, for tests that must survive the server dying mid-request. */
export async function requestJson(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
