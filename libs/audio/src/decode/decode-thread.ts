import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../workers/spawn-worker.js';
import type { DecodeJob, DecodeJobResult } from './decode-job.js';
import type { DecodeReply } from './decode.worker.js';
import { DecodeRefusal, refuse } from './refusal.js';

interface Pending {
  id: number;
  job: DecodeJob;
  resolve: (result: DecodeJobResult) => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
}

export interface DecodeThreadOptions {
  /** A job still running after this long is abandoned: the thread is restarted and the upload refused. */
  jobTimeoutMs: number;
}

/** JS heap of the decoding thread: decoded audio lives in ArrayBuffers outside it, so this bounds only codec state. */
const WORKER_HEAP_MB = 256;

function spawnDecodeWorker(): Worker {
  return spawnWorker(import.meta.url, 'decode.worker', {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
}

/**
 * Decoding off the event loop: one worker thread, started on first use, takes one job at a time from a queue kept
 * here (so a thread that dies or hangs loses only the job it was running, which is refused as undecodable, and the
 * next job gets a fresh thread). The bytes are handed over (transferred), the 16 kHz samples come back the same way.
 */
export class DecodeThread {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: DecodeThreadOptions) {}

  /** Queues the job; `job.bytes` is transferred to the thread and unusable afterwards. */
  run(job: DecodeJob): Promise<DecodeJobResult> {
    if (this.closed) return Promise.reject(new Error('The decoding thread is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('The decoding thread is closed'));
    this.current?.reject(new Error('The decoding thread is closed'));
    if (this.current?.timer) clearTimeout(this.current.timer);
    this.current = null;
    void this.worker?.terminate();
    this.worker = null;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      this.worker?.unref();
      return;
    }
    this.current = next;
    const worker = this.ensureWorker();
    worker.ref();
    next.timer = setTimeout(() => {
      // the thread may be stuck in a codec: replace it before the next job
      this.worker = null;
      void worker.terminate();
      this.finish(next.id, (p) => p.reject(refuse.undecodable('The audio took too long to decode')));
    }, this.options.jobTimeoutMs);
    worker.postMessage({ id: next.id, job: next.job }, [next.job.bytes.buffer as ArrayBuffer]);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnDecodeWorker();
    worker.on('message', (reply: DecodeReply) => {
      this.finish(reply.id, (p) => {
        if (reply.ok) p.resolve(reply.result);
        else if ('refusal' in reply) p.reject(new DecodeRefusal(reply.refusal));
        else p.reject(new Error(reply.error));
      });
    });
    worker.on('error', () => undefined); // followed by 'exit', handled there
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = null;
      // The job it was running is what stopped it (a codec crash, the heap limit): refuse that one upload.
      const stopped = refuse.undecodable('The audio could not be decoded (the decoder stopped)');
      if (this.current) this.finish(this.current.id, (p) => p.reject(stopped));
    });
    this.worker = worker;
    return worker;
  }

  private finish(id: number, settle: (pending: Pending) => void): void {
    const current = this.current;
    if (!current || current.id !== id) return;
    if (current.timer) clearTimeout(current.timer);
    this.current = null;
    settle(current);
    this.pump();
  }
}

/** An idle shared thread outlives its last user this long, so pipelines created one after another reuse it. */
const SHARED_IDLE_MS = 30_000;

let shared: { thread: DecodeThread; users: number; idle?: NodeJS.Timeout } | null = null;

/**
 * The process's decoding thread, shared by every decoder (one thread per process, as its audio engines are): a
 * thread costs a second or more to start (WASM compilation), so pipelines do not each start their own. Pair with
 * releaseDecodeThread; the thread stops SHARED_IDLE_MS after its last user let go (an idle thread never keeps the
 * process alive).
 */
export function acquireDecodeThread(options: DecodeThreadOptions): DecodeThread {
  if (shared?.idle) clearTimeout(shared.idle);
  shared ??= { thread: new DecodeThread(options), users: 0 };
  shared.idle = undefined;
  shared.users += 1;
  return shared.thread;
}

export function releaseDecodeThread(thread: DecodeThread): void {
  const current = shared;
  if (!current || current.thread !== thread || current.users === 0) return;
  current.users -= 1;
  if (current.users > 0) return;
  current.idle = setTimeout(() => {
    if (shared === current && current.users === 0) {
      shared = null;
      current.thread.close();
    }
  }, SHARED_IDLE_MS).unref();
}
