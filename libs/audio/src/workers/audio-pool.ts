import type { Worker } from 'node:worker_threads';
import { ownArrays, type AudioWork, type AudioWorkerSetup, type AudioWorkResults } from './audio-work.js';
import type { AudioWorkerMessage, AudioWorkRequest } from './audio.worker.js';
import { spawnWorker } from './spawn-worker.js';

interface Pending {
  id: number;
  work: AudioWork;
  /** Whether a thread already died running it (a job gets one more thread, then fails). */
  retried: boolean;
  resolve: (result: never) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current: Pending | null;
}

/** No worker could build its engines: the caller runs the work on its own thread instead. */
export class AudioPoolUnavailableError extends Error {
  constructor(reason: string) {
    super(`The audio worker threads are unavailable: ${reason}`);
  }
}

/** Two threads died running this job: it is not tried a third time (it may be what kills them). */
export class AudioWorkerLostError extends Error {
  constructor() {
    super('The audio worker threads stopped twice while they ran this job');
  }
}

/** A worker that crashed (or hit its heap limit) is replaced at most this many times in a row before giving up. */
const MAX_RESTARTS = 3;

/**
 * The CPU-heavy audio stages (quality with its VAD, noise reduction, VAD, speaker embedding) off the event loop: a
 * fixed number of worker threads, each with its own engines built once (its own ONNX sessions, one intra-op thread,
 * reused for every job), taking one job at a time from a queue kept here (quality reports, which the stream
 * arbitration waits for under its network's floor lock, first). Samples are copied to the thread (the
 * caller keeps its array); results come back transferred. A thread that dies is replaced and the job it was running
 * is run again on the next free thread (once: a job two threads died on is rejected with AudioWorkerLostError); if no
 * thread can build its engines, every job is refused with AudioPoolUnavailableError so that the caller can run it
 * itself.
 */
export class AudioWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private restarts = 0;
  private unavailable: string | null = null;

  constructor(
    private readonly setup: AudioWorkerSetup,
    readonly size: number,
    private readonly log: (event: string, fields: Record<string, string | number>) => void = () => undefined,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  /** Whether jobs can still be run here (false once no thread could build its engines). */
  get usable(): boolean {
    return !this.closed && this.unavailable === null;
  }

  run<K extends AudioWork['op']>(work: AudioWork & { op: K }): Promise<AudioWorkResults[K]> {
    if (this.closed) return Promise.reject(new Error('The audio worker pool is closed'));
    if (this.unavailable !== null) return Promise.reject(new AudioPoolUnavailableError(this.unavailable));
    return new Promise<AudioWorkResults[K]>((resolve, reject) => {
      const pending: Pending = {
        id: this.nextId++,
        work: ownArrays(work),
        retried: false,
        resolve: resolve as (result: never) => void,
        reject,
      };
      if (work.op === 'quality') {
        // The arbitration waits for its VAD judgement under its network's floor lock: before utterance work.
        const firstOther = this.queue.findIndex((p) => p.work.op !== 'quality');
        this.queue.splice(firstOther === -1 ? this.queue.length : firstOther, 0, pending);
      } else {
        this.queue.push(pending);
      }
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    const closedError = new Error('The audio worker pool is closed');
    for (const pending of this.queue.splice(0)) pending.reject(closedError);
    for (const slot of this.slots) {
      slot.current?.reject(closedError);
      slot.current = null;
      void slot.worker.terminate();
    }
    this.slots.clear();
  }

  private spawn(): void {
    // Referenced while it starts (jobs may be waiting for it), then only while it runs a job.
    const worker = spawnWorker(import.meta.url, 'audio.worker', { workerData: this.setup });
    const slot: Slot = { worker, ready: false, current: null };
    this.slots.add(slot);
    worker.on('message', (message: AudioWorkerMessage) => this.onMessage(slot, message));
    worker.on('error', () => undefined); // followed by 'exit', handled there
    worker.on('exit', () => this.onExit(slot));
  }

  private onMessage(slot: Slot, message: AudioWorkerMessage): void {
    switch (message.kind) {
      case 'ready':
        slot.ready = true;
        this.restarts = 0;
        this.pump();
        if (!slot.current) slot.worker.unref();
        return;
      case 'failed':
        this.log('audio.worker_failed', { error: message.error.slice(0, 200) });
        this.slots.delete(slot);
        void slot.worker.terminate();
        if (this.slots.size === 0) this.giveUp(message.error);
        return;
      case 'done':
      case 'error': {
        const pending = slot.current;
        if (!pending || pending.id !== message.id) return;
        slot.current = null;
        slot.worker.unref();
        if (message.kind === 'done') pending.resolve(message.result as never);
        else pending.reject(new Error(message.error));
        this.pump();
        return;
      }
    }
  }

  private onExit(slot: Slot): void {
    if (!this.slots.delete(slot) || this.closed) return;
    const lost = slot.current;
    slot.current = null;
    this.log('audio.worker_exited', { restarts: this.restarts, job_lost: lost ? 1 : 0 });
    if (lost && !lost.retried) {
      // The thread, not the job, is the likelier fault: the job goes first to the next free thread.
      lost.retried = true;
      this.queue.unshift(lost);
    } else {
      lost?.reject(new AudioWorkerLostError());
    }
    if (this.restarts++ < MAX_RESTARTS * this.size) this.spawn();
    else if (this.slots.size === 0) this.giveUp('the worker threads kept stopping');
    this.pump();
  }

  private giveUp(reason: string): void {
    this.unavailable = reason;
    for (const pending of this.queue.splice(0)) pending.reject(new AudioPoolUnavailableError(reason));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.current) continue;
      const next = this.queue.shift()!;
      slot.current = next;
      slot.worker.ref();
      slot.worker.postMessage({ id: next.id, work: next.work } satisfies AudioWorkRequest);
    }
  }
}

/** An idle shared pool outlives its last user this long, so applications created one after another reuse it. */
const SHARED_IDLE_MS = 30_000;

const shared = new Map<string, { pool: AudioWorkerPool; users: number; idle?: NodeJS.Timeout }>();

/**
 * The process's pool for these engine options, shared by every AudioService built with them (a thread costs its
 * engines' memory and a second or more to start). Pair with releaseAudioWorkerPool; the pool stops SHARED_IDLE_MS
 * after its last user let go (idle threads never keep the process alive).
 */
export function acquireAudioWorkerPool(
  setup: AudioWorkerSetup,
  size: number,
  log?: (event: string, fields: Record<string, string | number>) => void,
): AudioWorkerPool {
  const key = JSON.stringify([setup, size]);
  let entry = shared.get(key);
  if (entry && !entry.pool.usable) {
    entry.pool.close();
    shared.delete(key);
    entry = undefined;
  }
  if (entry?.idle) clearTimeout(entry.idle);
  entry ??= { pool: new AudioWorkerPool(setup, size, log), users: 0 };
  entry.idle = undefined;
  entry.users += 1;
  shared.set(key, entry);
  return entry.pool;
}

export function releaseAudioWorkerPool(pool: AudioWorkerPool): void {
  for (const [key, entry] of shared) {
    if (entry.pool !== pool || entry.users === 0) continue;
    entry.users -= 1;
    if (entry.users > 0) return;
    entry.idle = setTimeout(() => {
      if (shared.get(key) === entry && entry.users === 0) {
        shared.delete(key);
        entry.pool.close();
      }
    }, SHARED_IDLE_MS).unref();
    return;
  }
}
