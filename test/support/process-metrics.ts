import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Memory and responsiveness figures of a server process under attack, for the reliability suite's printed proof
 * (RSS from /proc, event-loop lag from the server's own /metrics, /health round trips from outside). Tests print
 * these figures; they assert on memory only with generous bounds, never on time.
 */
export interface MemoryFigures {
  rssMb: number;
  peakMb: number;
}

function statusField(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

export function memoryOf(pid: number): MemoryFigures {
  return { rssMb: statusField(pid, 'VmRSS'), peakMb: statusField(pid, 'VmHWM') };
}

/** Resets the kernel's peak-RSS mark (VmHWM) so the next reading is the peak since now. False where not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples RSS every few milliseconds until stopped (a second opinion where VmHWM cannot be reset), and reports the
 * highest reading together with the kernel's peak mark.
 */
export function watchMemory(pid: number): { stop(): MemoryFigures & { sampledPeakMb: number } } {
  let sampledPeakMb = memoryOf(pid).rssMb;
  const timer = setInterval(() => {
    try {
      sampledPeakMb = Math.max(sampledPeakMb, memoryOf(pid).rssMb);
    } catch {
      // the process may be gone; the last reading stands
    }
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return { ...memoryOf(pid), sampledPeakMb };
    },
  };
}

/** The largest event-loop delay the server saw since the previous scrape (prom-client resets it on each scrape). */
export async function eventLoopLagMaxSeconds(baseUrl: string, token?: string): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await res.text();
  const match = /^nodejs_eventloop_lag_max_seconds\s+([0-9.eE+-]+)/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

export interface HealthWatch {
  answers: number;
  failures: number;
  /** Slowest /health round trip while watched. */
  maxMs: number;
  /** Answers that arrived while `busy()` was true. */
  answeredWhileBusy: number;
}

/**
 * Polls GET /health back to back (no sleeps) until stopped: how many answered, how slow the slowest was, and how
 * many answered while the caller's `busy()` said the attack was still in flight.
 */
export function watchHealth(baseUrl: string, busy: () => boolean): { stop(): Promise<HealthWatch> } {
  const figures: HealthWatch = { answers: 0, failures: 0, maxMs: 0, answeredWhileBusy: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(120_000) });
        await res.arrayBuffer();
        if (res.status === 200) {
          figures.answers += 1;
          if (busy()) figures.answeredWhileBusy += 1;
        } else figures.failures += 1;
      } catch {
        figures.failures += 1;
      }
      figures.maxMs = Math.max(figures.maxMs, performance.now() - started);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return figures;
    },
  };
}
