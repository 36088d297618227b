/**
 * Preload for a server under a bench (`BENCH_SERVER_NODE_ARGS="--require <this file>"`, with LOOP_BLOCKS_DIR set):
 * records every stretch longer than LOOP_BLOCKS_MIN_MS (8) in which the main thread's event loop did not get back to
 * its timers, V8's garbage-collection pauses on that thread, the times of the /metrics scrapes (a bench's steps start
 * and end with one) and of the stream uploads. Written to LOOP_BLOCKS_DIR/blocks-<pid>.json when the process exits;
 * `npx tsx bench/event-loop-blocks.ts <dir>` reads it (and the `--cpu-prof` profile beside it, when there is one, to
 * say what ran during each stretch).
 *
 * prom-client's event-loop delay (the bench's p99) is a histogram of the same kind of lateness without its times;
 * these records keep each stretch, so that it can be counted per chunk and matched with the profile and the pauses.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.env.LOOP_BLOCKS_DIR) {
  const { PerformanceObserver, performance } = require('node:perf_hooks');
  const diagnostics = require('node:diagnostics_channel');
  const { openSync, readSync, writeFileSync } = require('node:fs');
  const { join } = require('node:path');

  const TICK_MS = 2;
  const minMs = Number(process.env.LOOP_BLOCKS_MIN_MS ?? 8);
  /** Microseconds on the monotonic clock V8's profiler stamps its samples with. */
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  /** performance.now() (ms since the time origin) → nowUs's clock. */
  const perfToUsOffset = nowUs() - performance.now() * 1000;

  // The main thread's time on a CPU and waiting for one (ns), from the scheduler: a late stretch is told apart as
  // work of this thread or as the machine's other work keeping it off the CPU (the bench's machine is shared).
  const schedstat = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  const statBuffer = Buffer.alloc(128);
  const scheduled = () => {
    const text = statBuffer.toString('latin1', 0, readSync(schedstat, statBuffer, 0, 128, 0));
    const [run, wait] = text.split(' ');
    return [Number(run) / 1000, Number(wait) / 1000];
  };

  const blocks = []; // [endUs, lateUs, runUs, waitUs]
  const gc = []; // [startUs, durationUs, kind, flags]
  const scrapes = []; // [startUs, runUs, waitUs] at each GET /metrics
  const uploads = []; // startUs of each audio upload to a stream

  let last = nowUs();
  let [lastRun, lastWait] = scheduled();
  setInterval(() => {
    const now = nowUs();
    const [run, wait] = scheduled();
    const late = now - last - TICK_MS * 1000;
    if (late >= minMs * 1000)
      blocks.push([now, late, Math.round(run - lastRun), Math.round(wait - lastWait)]);
    last = now;
    lastRun = run;
    lastWait = wait;
  }, TICK_MS).unref();

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.push([
        Math.round(perfToUsOffset + entry.startTime * 1000),
        Math.round(entry.duration * 1000),
        entry.detail?.kind ?? 0,
        entry.detail?.flags ?? 0,
      ]);
    }
  }).observe({ entryTypes: ['gc'] });

  diagnostics.subscribe('http.server.request.start', ({ request }) => {
    const url = request.url ?? '';
    if (url.startsWith('/metrics')) scrapes.push([nowUs(), ...scheduled()]);
    else if (request.method === 'POST' && /\/streams\/[^/]+\/audio/.test(url)) uploads.push(nowUs());
  });

  // LOOP_BLOCKS_ALLOCATIONS=1: V8's sampling heap profiler over the whole run, objects collected since included, so
  // that it shows what fills the young generation (every allocation's stack, sampled every 32 KiB on average).
  let allocations = null;
  if (process.env.LOOP_BLOCKS_ALLOCATIONS === '1') {
    const { Session } = require('node:inspector');
    allocations = new Session();
    allocations.connect();
    allocations.post('HeapProfiler.startSampling', {
      samplingInterval: 32768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  process.on('exit', () => {
    allocations?.post('HeapProfiler.stopSampling', (err, result) => {
      if (!err)
        writeFileSync(
          join(process.env.LOOP_BLOCKS_DIR, `allocations-${process.pid}.heapprofile`),
          JSON.stringify(result.profile),
        );
    });
    writeFileSync(
      join(process.env.LOOP_BLOCKS_DIR, `blocks-${process.pid}.json`),
      JSON.stringify({ pid: process.pid, tickMs: TICK_MS, minMs, blocks, gc, scrapes, uploads }),
    );
  });
}
