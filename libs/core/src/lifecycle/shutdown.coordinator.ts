import { Injectable } from '@nestjs/common';

/**
 * A drain hook: stop taking new work (stop polling, refuse new streams), then resolve once the work already
 * taken is finished or safely handed back (a job left unfinished must be resumable by the next instance).
 * `signal` aborts when the shutdown bound is reached: finish what can be finished quickly and return.
 */
export type DrainHook = (signal: AbortSignal) => Promise<void> | void;

export interface DrainResult {
  /** True when every request, tracked work item and drain hook finished within the bound. */
  completed: boolean;
  /** What was still running when the bound was reached (names of hooks and work kinds, counts). */
  unfinished: { requests: number; work: Record<string, number>; hooks: string[] };
}

/**
 * Coordinates a graceful stop. main.ts calls `drain()` on SIGTERM; everything else only reads `isDraining`,
 * registers a drain hook, or wraps in-flight work with `track()`.
 *
 * Order on SIGTERM: draining = true (GET /health answers 503 "draining", responses carry Connection: close,
 * new streams should be refused) → the listener closes → drain hooks run and in-flight requests and tracked work
 * finish, bounded by SHUTDOWN_TIMEOUT_MS → the application closes (database last) → exit 0.
 */
@Injectable()
export class ShutdownCoordinator {
  private draining = false;
  private inFlightRequests = 0;
  private readonly work = new Map<string, number>();
  private readonly hooks = new Map<string, DrainHook>();
  private readonly idleWaiters = new Set<() => void>();

  get isDraining(): boolean {
    return this.draining;
  }

  get requestsInFlight(): number {
    return this.inFlightRequests;
  }

  /** Work items in flight, by kind. */
  workInFlight(): Record<string, number> {
    return Object.fromEntries([...this.work.entries()].filter(([, n]) => n > 0));
  }

  /** Registers (or replaces) the drain hook called `name`. */
  onDrain(name: string, hook: DrainHook): void {
    this.hooks.set(name, hook);
  }

  /**
   * Marks one unit of work of `kind` (e.g. 'job:transcribe') as in flight until the returned release is called.
   * Release is idempotent. While draining, work still starts (a request already accepted may need it).
   */
  track(kind: string): () => void {
    this.work.set(kind, (this.work.get(kind) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.work.set(kind, (this.work.get(kind) ?? 1) - 1);
      this.notifyIfIdle();
    };
  }

  /** Runs `fn` as tracked work of `kind`. */
  async run<T>(kind: string, fn: () => Promise<T>): Promise<T> {
    const release = this.track(kind);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Used by the request middleware: one call per request; the returned release runs when the response closes. */
  requestStarted(): () => void {
    this.inFlightRequests += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightRequests -= 1;
      this.notifyIfIdle();
    };
  }

  /** Enters draining (idempotent). Called first on SIGTERM so health checks start failing at once. */
  beginDrain(): void {
    this.draining = true;
  }

  /**
   * Runs every drain hook and waits for in-flight requests and tracked work, at most `timeoutMs`.
   * Hooks that throw are counted as finished (their error is returned to the caller through `onHookError`).
   */
  async drain(
    timeoutMs: number,
    onHookError: (name: string, err: unknown) => void = () => undefined,
  ): Promise<DrainResult> {
    this.beginDrain();
    const controller = new AbortController();
    const pendingHooks = new Set(this.hooks.keys());
    const hooksDone = Promise.all(
      [...this.hooks.entries()].map(async ([name, hook]) => {
        try {
          await hook(controller.signal);
        } catch (err) {
          onHookError(name, err);
        } finally {
          pendingHooks.delete(name);
        }
      }),
    );
    const everythingDone = hooksDone.then(() => this.whenIdle());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([everythingDone.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') controller.abort(new Error('shutdown bound reached'));
    return {
      completed: outcome === 'done',
      unfinished: {
        requests: this.inFlightRequests,
        work: this.workInFlight(),
        hooks: [...pendingHooks],
      },
    };
  }

  private isIdle(): boolean {
    return this.inFlightRequests === 0 && [...this.work.values()].every((n) => n <= 0);
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = (): void => {
        this.idleWaiters.delete(waiter);
        resolve();
      };
      this.idleWaiters.add(waiter);
    });
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const waiter of [...this.idleWaiters]) waiter();
  }
}
