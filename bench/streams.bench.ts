/**
 * npm run bench:streams — how many devices can stream to one server in real time, and how soon does the app hear
 * what was said?
 *
 * N simulated devices (4 per network, the copies of one room: same speech, different noise) each upload one 1 s chunk
 * of 16 kHz audio (WAV PCM16) per second, in real time, over loopback HTTP to the compiled server (its own process,
 * PostgreSQL from the test harness, Gemini faked at the wire), for BENCH_SECONDS. Every chunk goes through the real
 * path: decode, the quality estimate, storage with its arbitration job, the arbitration (Silero VAD once per sound), and
 * for each winning copy the utterance pipeline (GTCRN denoise, VAD, speaker embedding, transcription by the fake
 * Gemini) up to the realtime `interaction` event, which a connected app socket per network receives. Per N:
 * - ingest: client-side round trip of each upload (p50, p95);
 * - word → event: from the moment the room's copies of one second were all answered to the `interaction` event of
 *   that second on the app socket (p95 over the room-seconds that became an interaction);
 * - processed: winning copies (utterance.process jobs) done / forwarded, after the step drains;
 * - event-loop delay p99 of the server during the step (prom-client's histogram on /metrics, reset by each scrape);
 * - the server's peak RSS;
 * - the server's CPU time (all threads) per uploaded chunk, over the step and its drain.
 * The ladder runs BENCH_RUNS times (a fresh server each, warmed up by one room for WARM_UP_SECONDS, not counted); each
 * figure is the median over runs. The 1-minute load average is recorded before and after each run (the machine is
 * shared).
 *
 * - room-seconds: the (room, second) pairs that had a winning copy, and how many of them had more than one (the same
 *   words forwarded twice), with the widest spread of the clock offsets the server estimated for one second's copies
 *   (the copies of one second are grouped by their aligned times: beyond half a chunk they fall into the next second).
 * Env: BENCH_SECONDS (12), BENCH_RUNS (3), BENCH_LADDER (4,8,12,24,48); BENCH_LATE_DEVICE_MS (0): the last device of
 * every room uploads each chunk this much later than its roommates (a device on a slower path); BENCH_DUMP_CHUNKS=1
 * prints every chunk's decision to stderr. Writes part of `## Streams`.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fillModelDirFromMirror, librispeechTrainFiles } from '../tooling/shared-data.js';
import {
  decodeFlac,
  median,
  percentile,
  power,
  setupNetwork,
  sleep,
  SR,
  startServer,
  type Server,
} from '../eval/streams-lib.js';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import { FakeGemini } from '../test/support/fake-gemini.js';
import { openSession, realtimeUrl, type TestSocket } from '../test/support/realtime-client.js';
import { encodeWav16, gaussian, seededRandom } from '@mira/core';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LADDER = (process.env.BENCH_LADDER ?? '4,8,12,24,48').split(',').map(Number);
const PER_NETWORK = 4;
const LATE_DEVICE_MS = Number(process.env.BENCH_LATE_DEVICE_MS ?? 0);
const TARGET_P95_MS = 200;
/**
 * Each fresh server first serves one room for this long, not measured: a server in service has run every engine and
 * compiled its hot paths, and the first calls of a new process (ONNX sessions' first runs, V8's first compilations)
 * would otherwise be counted as the first step's latency.
 */
const WARM_UP_SECONDS = 3;
/** How long a step may take after its last upload for the forwarded copies to become interactions. */
const DRAIN_MS = 90_000;

interface StepResult {
  p50: number;
  p95: number;
  errors: number;
  sent: number;
  rss: number;
  /** word → event p95 (ms), over the room-seconds that became an interaction during the step or its drain. */
  eventP95: number;
  events: number;
  forwarded: number;
  processed: number;
  /** (room, second) pairs with a winning copy; of them, those with more than one. */
  roomSeconds: number;
  duplicated: number;
  /** Widest spread (ms) of the estimated clock offsets among one second's copies in one room. */
  offsetSpreadMs: number;
  loopP99: number;
  /** Server CPU (all threads) per uploaded chunk over the step and its drain, ms: the cost, whatever the load. */
  cpuPerChunk: number;
}

/** CPU time (ms) the server process has used so far, all its threads (utime + stime of /proc/<pid>/stat). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on Linux builds everywhere in practice. */
const CLOCK_TICKS = 100;

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The p99 event-loop delay (ms) since the previous scrape: prom-client resets its histogram on every collect. */
async function eventLoopP99(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = /^nodejs_eventloop_lag_p99_seconds\s+([0-9.eE+-]+)/m.exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

/** One second chunks of speech per room member: the same speech, each copy with its own noise level. */
function roomChunks(seconds: number): Buffer[][] {
  const files = librispeechTrainFiles();
  const speech = decodeFlac(files[3]!);
  const r = seededRandom(11);
  return Array.from({ length: PER_NETWORK }, (_, member) => {
    const snrDb = 5 + member * 6;
    const noiseStd = Math.sqrt(power(speech) / 10 ** (snrDb / 10));
    return Array.from({ length: seconds }, (_, s) => {
      const chunk = new Float32Array(SR);
      for (let i = 0; i < SR; i++)
        chunk[i] = (speech[(s * SR + i) % speech.length] ?? 0) + noiseStd * gaussian(r);
      return encodeWav16(chunk, SR);
    });
  });
}

interface Room {
  networkId: string;
  socket: TestSocket;
  /** Capture time (epoch ms) of the room's first second. */
  firstCapture: number;
  /** When the last copy of each second was answered (performance.now()), by second. */
  answered: Array<{ copies: number; at: number }>;
  /** `interaction` events as they arrived: the chunk's capture time and performance.now() at arrival. */
  events: Array<{ timestamp: string; at: number }>;
}

async function step(
  server: Server,
  devices: number,
  chunks: Buffer[][],
  uploadSeconds = SECONDS,
): Promise<StepResult> {
  const { baseUrl, pid } = server;
  const roomCount = Math.ceil(devices / PER_NETWORK);
  const start = Date.now() + 2_000;
  const rooms: Room[] = [];
  const uploaders: Array<{ room: Room; token: string; stream: string; member: number }> = [];
  for (let n = 0; n < roomCount; n++) {
    const members = Math.min(PER_NETWORK, devices - n * PER_NETWORK);
    const names = Array.from({ length: members }, (_, k) => `dev${k}`);
    const net = await setupNetwork(baseUrl, names);
    const socket = await openSession(
      realtimeUrl(baseUrl, { token: net.auth.slice('Bearer '.length), client_id: 'bench-app' }),
    );
    // Rooms are spread over the second; copies within a room arrive together.
    const room: Room = {
      networkId: net.networkId,
      socket,
      firstCapture: 0,
      answered: Array.from({ length: uploadSeconds }, () => ({ copies: 0, at: 0 })),
      events: [],
    };
    socket.ws.on('message', (data) => {
      const at = performance.now();
      const m = JSON.parse(data.toString()) as {
        event?: string;
        data?: { timestamp?: string; metadata?: { audio?: { captured_at?: string } } };
      };
      // The device's own capture time of the chunk (the interaction's timestamp is aligned to the server clock,
      // which moves it when uploads arrive late under overload).
      const captured = m.data?.metadata?.audio?.captured_at ?? m.data?.timestamp;
      if (m.event === 'interaction') room.events.push({ timestamp: String(captured), at });
    });
    rooms.push(room);
    names.forEach((name, k) => uploaders.push({ room, token: net.tokens[name]!, stream: name, member: k }));
  }
  rooms.forEach((room, index) => (room.firstCapture = start + ((index * 97) % 1000)));
  await eventLoopP99(baseUrl); // resets the server's histogram: the step's figure starts here
  const cpuBefore = cpuMs(pid);
  const latencies: number[] = [];
  let errors = 0;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 250);
  await Promise.all(
    uploaders.map(async (d) => {
      for (let s = 0; s < uploadSeconds; s++) {
        const captured = d.room.firstCapture + s * 1000;
        await sleep(captured + 1000 + (d.member === PER_NETWORK - 1 ? LATE_DEVICE_MS : 0) - Date.now());
        const form = new FormData();
        form.append(
          'audio_data',
          new Blob([new Uint8Array(chunks[d.member]![s]!)], { type: 'audio/wav' }),
          'c.wav',
        );
        form.append('timestamp', String(captured));
        form.append('seq', String(s));
        const t0 = performance.now();
        try {
          const res = await fetch(`${baseUrl}/api/v1/${d.room.networkId}/streams/${d.stream}/audio`, {
            method: 'POST',
            headers: { authorization: `Bearer ${d.token}` },
            body: form,
          });
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
        } catch {
          errors++;
        }
        const t1 = performance.now();
        latencies.push(t1 - t0);
        const moment = d.room.answered[s]!;
        moment.copies++;
        moment.at = Math.max(moment.at, t1);
      }
    }),
  );
  const loopP99 = await eventLoopP99(baseUrl);
  // Drain: wait until every forwarded copy is processed (or DRAIN_MS), so that late events are counted too.
  const networkIds = rooms.map((r) => r.networkId);
  const counts = async () => {
    const { rows } = await server.db.query<{ forwarded: string; processed: string; pending: string }>(
      `SELECT count(*) AS forwarded,
              count(*) FILTER (WHERE status = 'done') AS processed,
              count(*) FILTER (WHERE status IN ('queued', 'running')) AS pending
         FROM jobs WHERE type = 'utterance.process' AND network_id = ANY($1::uuid[])`,
      [networkIds],
    );
    return rows[0]!;
  };
  const drainUntil = Date.now() + DRAIN_MS;
  await sleep(2_000); // the arbitration window of the last second
  let c = await counts();
  while (Number(c.pending) > 0 && Date.now() < drainUntil) {
    await sleep(500);
    c = await counts();
  }
  await sleep(500); // the last events are on their way
  const decided = await roomSeconds(server, networkIds);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssMb(pid));
  const cpuUsed = cpuMs(pid) - cpuBefore;

  const eventMs: number[] = [];
  for (const room of rooms) {
    for (const { timestamp, at } of room.events) {
      const stamp = Date.parse(timestamp);
      if (Number.isNaN(stamp)) continue;
      const s = Math.round((stamp - room.firstCapture) / 1000);
      const moment = room.answered[s];
      if (!moment || moment.copies === 0) continue;
      eventMs.push(at - moment.at);
    }
    await room.socket.close();
  }
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    errors,
    sent: latencies.length,
    rss: peakRss,
    eventP95: percentile(eventMs, 95),
    events: eventMs.length,
    forwarded: Number(c.forwarded),
    processed: Number(c.processed),
    ...decided,
    loopP99,
    cpuPerChunk: cpuUsed / Math.max(1, latencies.length),
  };
}

/** Winners per (room, second) and the spread of the copies' clock offsets, from the server's chunk table. */
async function roomSeconds(
  server: Server,
  networkIds: string[],
): Promise<{ roomSeconds: number; duplicated: number; offsetSpreadMs: number }> {
  const { rows } = await server.db.query<{ winners: string; spread: string }>(
    `SELECT count(*) FILTER (WHERE status = 'won') AS winners,
            extract(epoch FROM max(aligned_start - captured_at) - min(aligned_start - captured_at)) * 1000 AS spread
       FROM stream_chunks WHERE network_id = ANY($1::uuid[]) GROUP BY network_id, seq`,
    [networkIds],
  );
  if (process.env.BENCH_DUMP_CHUNKS === '1') {
    const chunks = await server.db.query(
      `SELECT network_id, seq, stream_id, status, decision_reason, round(snr_db::numeric, 1) AS snr_db,
              round(extract(epoch FROM aligned_start - captured_at) * 1000) AS offset_ms,
              round(extract(epoch FROM received_at - captured_at) * 1000) AS received_after_capture_ms
         FROM stream_chunks WHERE network_id = ANY($1::uuid[]) ORDER BY network_id, seq, stream_id`,
      [networkIds],
    );
    process.stderr.write(`${chunks.rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  }
  const winners = rows.map((r) => Number(r.winners));
  return {
    roomSeconds: winners.filter((w) => w > 0).length,
    duplicated: winners.filter((w) => w > 1).length,
    offsetSpreadMs: Math.max(0, ...rows.map((r) => Number(r.spread))),
  };
}

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

async function main(): Promise<void> {
  const header = machineLine();
  const chunks = roomChunks(SECONDS);
  // Every model of the manifest, as deployed (GTCRN and the others fetched by models:fetch, here from the mirror).
  const modelDir = await fillModelDirFromMirror(join(process.cwd(), '.tmp', 'bench-models'));
  const gemini = await FakeGemini.start();
  gemini.respondWith(() => ({ kind: 'text', text: 'bench words' }));
  const perRun: Array<Map<number, StepResult>> = [];
  const loads: string[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const loadBefore = loadavg()[0]!;
      const server = await startServer(gemini.env({ TRANSCRIBER: 'gemini', MODEL_DIR: modelDir }));
      const results = new Map<number, StepResult>();
      try {
        process.stderr.write(
          `[bench] run ${run + 1}/${RUNS}, load ${loadBefore.toFixed(1)}, server idle RSS ${rssMb(server.pid).toFixed(0)} MB\n`,
        );
        const warm = await step(server, PER_NETWORK, chunks, WARM_UP_SECONDS);
        process.stderr.write(
          `[bench]   warm-up (not counted): ${PER_NETWORK} devices for ${WARM_UP_SECONDS} s, ingest p95 ${fmt(warm.p95)} ms\n`,
        );
        for (const n of LADDER) {
          const r = await step(server, n, chunks);
          results.set(n, r);
          process.stderr.write(
            `[bench]   N=${n}: ingest p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, errors ${r.errors}/${r.sent}; ` +
              `word→event p95 ${fmt(r.eventP95)} ms (${r.events} events); processed ${r.processed}/${r.forwarded}; ` +
              `room-seconds ${r.roomSeconds} (${r.duplicated} with two winners or more), offset spread ${fmt(r.offsetSpreadMs)} ms; ` +
              `event loop p99 ${fmt(r.loopP99, 1)} ms; RSS ${fmt(r.rss)} MB; CPU ${fmt(r.cpuPerChunk, 1)} ms/chunk; ` +
              `load ${loadavg()[0]!.toFixed(1)}\n`,
          );
        }
      } finally {
        await server.stop();
      }
      loads.push(`${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
      perRun.push(results);
    }
  } finally {
    await gemini.close();
  }
  const rows: string[] = [];
  let largest: { n: number; p95: number; rss: number } | null = null;
  for (const n of LADDER) {
    const samples = perRun.map((r) => r.get(n)).filter((x) => x !== undefined);
    if (samples.length === 0) break;
    const med = (pick: (s: StepResult) => number) => median(samples.map(pick));
    const errors = samples.reduce((a, s) => a + s.errors, 0);
    const sent = samples.reduce((a, s) => a + s.sent, 0);
    const processed = samples.reduce((a, s) => a + s.processed, 0);
    const events = samples.reduce((a, s) => a + s.events, 0);
    const forwarded = samples.reduce((a, s) => a + s.forwarded, 0);
    const roomSecs = samples.reduce((a, s) => a + s.roomSeconds, 0);
    const duplicated = samples.reduce((a, s) => a + s.duplicated, 0);
    const p95s = samples.map((s) => fmt(s.p95)).join(' / ');
    rows.push(
      `| ${n} | ${samples.length} | ${fmt(med((s) => s.p50))} | ${fmt(med((s) => s.p95))} (${p95s}) | ${errors}/${sent} | ` +
        `${fmt(med((s) => s.eventP95))} | ${events} | ${processed}/${forwarded} (${roomSecs}, ${duplicated}) | ${fmt(
          med((s) => s.loopP99),
          1,
        )} | ${fmt(med((s) => s.rss))} | ${fmt(
          med((s) => s.cpuPerChunk),
          1,
        )} |`,
    );
    const everyRun = samples.length === RUNS && samples.every((s) => s.p95 < TARGET_P95_MS && s.errors === 0);
    if (everyRun) largest = { n, p95: med((s) => s.p95), rss: med((s) => s.rss) };
  }
  const body = `Command: \`npm run bench:streams\` (BENCH_SECONDS=${SECONDS}, BENCH_RUNS=${RUNS}, BENCH_LADDER=${LADDER.join(',')}); ${header}.
1-minute load average before → after each run: ${loads.join('; ')} (${cpus().length} cores; the load generator, the
server, PostgreSQL and the fake Gemini share them with whatever else runs on the machine). Each device uploads a 1 s WAV
chunk per second in real time; 4 devices per network hear the same room, so every second is arbitrated and its
winning copy goes through the utterance pipeline to an \`interaction\` event on the network's app socket. Medians over
runs (ingest p95 of each run in brackets); each run's server first serves one room for ${WARM_UP_SECONDS} s, not counted.
Word → event: from the room's copies of one second all answered to that second's \`interaction\` event on the socket; Events: how many arrived and matched a second, summed over runs. Processed: winning copies done / forwarded, summed over runs, after the
step drained (≤ ${DRAIN_MS / 1000} s); in brackets the room-seconds that had a winner and how many of them had more than
one (the same words forwarded twice). Event-loop p99: the server's, over the upload phase of the step. CPU per
chunk: the server process's CPU time (all threads) over the step and its drain, divided by the uploads: what a
chunk costs whatever the machine's load.

**Largest N with p95 ingest latency under ${TARGET_P95_MS} ms in every run: ${largest ? `${largest.n} devices (median p95 ${largest.p95.toFixed(0)} ms), server RSS ${largest.rss.toFixed(0)} MB` : 'none of the ladder'}.**

| Devices N | Runs | ingest p50 (ms) | ingest p95 (ms) | Errors | word → event p95 (ms) | Events | Processed | event-loop p99 (ms) | Server peak RSS (MB) | Server CPU per chunk (ms) |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  if (process.env.BENCH_NO_WRITE !== '1')
    writeBenchmark({
      area: 'Streams',
      measure: 'Real-time ingestion capacity (npm run bench:streams)',
      body,
    });
  process.stdout.write(`${body}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
