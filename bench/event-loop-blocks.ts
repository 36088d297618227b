/**
 * `npx tsx bench/event-loop-blocks.ts <dir> [minMs]`: what held a bench server's event loop, from the records of
 * bench/event-loop-blocks.cjs in <dir> (one server: the newest blocks-<pid>.json, or LOOP_BLOCKS_PID).
 *
 * Per bench step (from one /metrics scrape to the next: the bench scrapes at a step's start and end): the uploads, the
 * stretches of at least minMs (10) without the loop reaching its timers (count, per 1,000 uploads, sizes), and the
 * main thread's GC pauses by kind. When the server ran with `--cpu-prof --cpu-prof-dir=<dir>`, the profile's samples
 * inside those stretches, by function: self time (what was on top of the stack) and inclusive time (what was anywhere
 * on it), so that a stretch is told apart as GC, one long function, or many short callbacks in one loop turn.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface Records {
  pid: number;
  tickMs: number;
  minMs: number;
  /** A late stretch: when it ended, how late the timer was, the main thread's time on a CPU and waiting for one. */
  blocks: Array<[endUs: number, lateUs: number, runUs: number, waitUs: number]>;
  gc: Array<[startUs: number, durationUs: number, kind: number, flags: number]>;
  scrapes: Array<[atUs: number, runUs: number, waitUs: number]>;
  uploads: number[];
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** perf_hooks' NODE_PERFORMANCE_GC_* kinds. */
const GC_KINDS: Record<number, string> = {
  1: 'scavenge',
  2: 'minor mark-sweep',
  4: 'mark-compact',
  8: 'incremental marking',
  16: 'weak callbacks',
};

/** The profiler's default interval (--cpu-prof-interval): one sample ≈ this much of the thread's CPU time. */
const SAMPLE_US = 1000;

const dir = process.argv[2];
if (!dir) throw new Error('usage: tsx bench/event-loop-blocks.ts <dir> [minMs]');
const minMs = Number(process.argv[3] ?? 10);

const recordFiles = readdirSync(dir).filter((f) => /^blocks-\d+\.json$/.test(f));
const pick = process.env.LOOP_BLOCKS_PID
  ? `blocks-${process.env.LOOP_BLOCKS_PID}.json`
  : recordFiles.sort((a, b) => Number(/\d+/.exec(b)![0]) - Number(/\d+/.exec(a)![0]))[0];
if (!pick) throw new Error(`no blocks-<pid>.json in ${dir}`);
const rec = JSON.parse(readFileSync(join(dir, pick), 'utf8')) as Records;
const profileFile = readdirSync(dir).find((f) =>
  new RegExp(`^CPU\\.\\d+\\.\\d+\\.${rec.pid}\\.0\\.\\d+\\.cpuprofile$`).test(f),
);
const profile = profileFile ? (JSON.parse(readFileSync(join(dir, profileFile), 'utf8')) as CpuProfile) : null;

const ms = (us: number) => us / 1000;
const fmt = (x: number, digits = 1) => x.toFixed(digits);

/** A stretch's time span: it ended at the late tick and began at most one tick before the lateness. */
function span([endUs, lateUs]: Records['blocks'][number]): [number, number] {
  return [endUs - lateUs - rec.tickMs * 1000, endUs];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

// Samples with their time and duration, and each node's stack of labels.
const samples: Array<{ t: number; w: number; node: number }> = [];
const labelOf = new Map<number, string>();
const parentOf = new Map<number, number>();
if (profile) {
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    // One sample per tick of the profiler in which the thread ran: a thread kept off the CPU by other processes gets
    // its pending ticks as one late sample, so counting samples (not their time deltas) approximates CPU time.
    samples.push({ t, w: SAMPLE_US, node: profile.samples[i]! });
  }
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = url ? ` ${basename(url)}:${lineNumber + 1}:${columnNumber + 1}` : '';
    labelOf.set(node.id, `${functionName || '(anonymous)'}${where}`);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
}
function stackOf(node: number): string[] {
  const stack: string[] = [];
  for (let n: number | undefined = node; n !== undefined; n = parentOf.get(n)) stack.push(labelOf.get(n)!);
  return stack; // top first
}
const stacks = new Map<number, string[]>();

function addTo(map: Map<string, number>, key: string, us: number) {
  map.set(key, (map.get(key) ?? 0) + us);
}

function top(map: Map<string, number>, total: number, n: number): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `    ${fmt(ms(us), 0).padStart(6)}  ${fmt((100 * us) / total).padStart(5)} %  ${k}`)
    .join('\n');
}

const windows: Array<[Records['scrapes'][number], Records['scrapes'][number]]> = [];
for (let i = 0; i + 1 < rec.scrapes.length; i += 2) windows.push([rec.scrapes[i]!, rec.scrapes[i + 1]!]);
process.stdout.write(
  `server ${rec.pid}: ${rec.blocks.length} stretches >= ${rec.minMs} ms recorded, ${rec.gc.length} GC pauses, ` +
    `${windows.length} steps${profile ? `, profile ${profileFile}` : ', no profile'}\n`,
);

function sizes(values: number[], label: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const bucket = (lo: number, hi: number) => sorted.filter((s) => s >= lo && s < hi).length;
  return (
    `${label}: sum ${fmt(
      sorted.reduce((a, b) => a + b, 0),
      0,
    )} ms, median ${fmt(quantile(sorted, 0.5))}, ` +
    `p90 ${fmt(quantile(sorted, 0.9))}, max ${fmt(sorted[sorted.length - 1] ?? NaN)} ms; ` +
    `${minMs}-15: ${bucket(minMs, 15)}, 15-20: ${bucket(15, 20)}, 20-30: ${bucket(20, 30)}, ` +
    `30-50: ${bucket(30, 50)}, >= 50: ${bucket(50, Infinity)}`
  );
}

for (const [k, [[from, runFrom, waitFrom], [to, runTo, waitTo]]] of windows.entries()) {
  const uploads = rec.uploads.filter((t) => t >= from && t <= to).length;
  const per1000 = (n: number) => fmt((1000 * n) / Math.max(1, uploads));
  const late = rec.blocks.filter(([end, lateUs]) => end >= from && end <= to && lateUs >= minMs * 1000);
  // Stretches in which this thread itself ran for at least minMs: its own work, whatever the machine's load.
  const own = late.filter(([, , run]) => run >= minMs * 1000);
  process.stdout.write(
    `\nstep ${k + 1}: ${fmt((to - from) / 1e6)} s, ${uploads} uploads; main thread on a CPU ` +
      `${fmt(ms(runTo - runFrom), 0)} ms (${fmt(ms(runTo - runFrom) / Math.max(1, uploads), 2)} ms per upload), ` +
      `waiting for one ${fmt(ms(waitTo - waitFrom), 0)} ms\n` +
      `  late >= ${minMs} ms: ${late.length} (${per1000(late.length)} per 1,000 uploads); ` +
      sizes(
        late.map(([, l]) => ms(l)),
        'lateness',
      ) +
      `\n  of them with >= ${minMs} ms on a CPU (own work): ${own.length} (${per1000(own.length)} per 1,000 uploads); ` +
      sizes(
        own.map(([, , run]) => ms(run)),
        'CPU',
      ) +
      '\n',
  );
  // GC pauses of the step, by kind, and how much of the own-work stretches they account for.
  const pauses = rec.gc.filter(([start]) => start >= from && start <= to);
  const byKind = new Map<number, number[]>();
  for (const [, duration, kind] of pauses) byKind.set(kind, [...(byKind.get(kind) ?? []), ms(duration)]);
  for (const [kind, durations] of [...byKind].sort((a, b) => a[0] - b[0])) {
    durations.sort((a, b) => a - b);
    process.stdout.write(
      `  GC ${GC_KINDS[kind] ?? kind}: ${durations.length} pauses (${per1000(durations.length)} per 1,000 uploads), ` +
        `sum ${fmt(
          durations.reduce((a, b) => a + b, 0),
          0,
        )} ms, median ${fmt(quantile(durations, 0.5), 2)} ms, ` +
        `max ${fmt(durations[durations.length - 1]!)} ms, >= 5 ms: ${durations.filter((d) => d >= 5).length}, ` +
        `>= 10 ms: ${durations.filter((d) => d >= 10).length}\n`,
    );
  }
  // A pause's late stretch split by the scheduler: the thread on a CPU, waiting for one, or asleep (in a pause: waiting
  // for V8's helper threads to finish their share of the collection).
  const inPause = { pauses: 0, late: 0, run: 0, wait: 0 };
  for (const [start, duration] of pauses) {
    if (duration < 5000) continue;
    const block = late.find(
      ([end, lateUs]) => end >= start + duration && end - lateUs - rec.tickMs * 1000 <= start + 1000,
    );
    if (!block) continue;
    inPause.pauses++;
    inPause.late += block[1];
    inPause.run += block[2];
    inPause.wait += block[3];
  }
  const asleep = Math.max(0, inPause.late - inPause.run - inPause.wait);
  process.stdout.write(
    `  late stretches holding a GC pause >= 5 ms: ${inPause.pauses}, late ${fmt(ms(inPause.late), 0)} ms = on a CPU ` +
      `${fmt(ms(inPause.run), 0)} + waiting for one ${fmt(ms(inPause.wait), 0)} + asleep ${fmt(ms(asleep), 0)} ms\n`,
  );
  let gcInOwn = 0;
  let ownWithGc = 0;
  for (const block of own) {
    const [s, e] = span(block);
    const inside = pauses
      .map(([start, duration]) => Math.max(0, Math.min(e, start + duration) - Math.max(s, start)))
      .reduce((a, b) => a + b, 0);
    gcInOwn += inside;
    if (inside >= 0.5 * block[1]) ownWithGc++;
  }
  process.stdout.write(
    `  GC inside the own-work stretches: ${fmt(ms(gcInOwn), 0)} ms of their ${fmt(ms(own.reduce((a, b) => a + b[1], 0)), 0)} ms late ` +
      `(wall); ${ownWithGc} of ${own.length} stretches were at least half GC\n`,
  );
  if (!profile || own.length === 0) continue;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let i = 0;
  for (const [s, e] of own.map(span).sort((a, b) => a[0] - b[0])) {
    while (i < samples.length && samples[i]!.t < s) i++;
    for (let j = i; j < samples.length && samples[j]!.t < e; j++) {
      const { w, node } = samples[j]!;
      let stack = stacks.get(node);
      if (!stack) stacks.set(node, (stack = stackOf(node)));
      total += w;
      addTo(self, stack[0]!, w);
      for (const label of new Set(stack)) addTo(inclusive, label, w);
    }
  }
  process.stdout.write(
    `  profile samples inside the own-work stretches: ${fmt(ms(total), 0)} (≈ ms of CPU)\n  self:\n${top(self, total, 30)}\n` +
      `  inclusive:\n${top(inclusive, total, 70)}\n`,
  );
}
