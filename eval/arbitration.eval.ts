/**
 * npm run eval:arbitration — does Mira keep the truly best microphone's copy, and only that copy?
 *
 * Each scene: one LibriSpeech utterance (2.5 s cut) heard by 2–4 simulated microphones. Each copy gets its own gain
 * (0.15–1.5), noise type (white, pink, brown, babble from other LibriSpeech speakers, mains hum, fan) at its own SNR
 * (−5…25 dB, by construction over the speech), an acoustic delay (0–30 ms), its own VAD cut (0.1–0.5 s of lead-in
 * and tail), a device clock skew (±3 s on the timestamp) and a network delay (0–300 ms before the upload starts).
 * The copies go through the REAL HTTP ingestion of the compiled server (fresh network per scene), with the default
 * arbitration settings. Truth = the copy with the highest SNR. We read the decision back from PostgreSQL.
 *
 * Reported: accuracy (winner = highest-SNR copy), accuracy by the SNR gap between the best two copies, SNR regret
 * (dB lost when wrong), duplicates (scenes with more than one utterance.process job) and misses (none), plus what
 * simpler policies would have picked on the same scenes (first arrival, loudest, the original's whole-clip score).
 *
 * Env: EVAL_SCENES (default 120), EVAL_SEED (default 7). Writes the "Arbitration accuracy" part of `## Streams`.
 */
import {
  decodeFlac,
  gaussian,
  librispeechFiles,
  machine,
  percentile,
  postChunk,
  power,
  prng,
  setupNetwork,
  sleep,
  SR,
  startServer,
  writeSection,
} from './streams-lib.js';

const SCENES = Number(process.env.EVAL_SCENES ?? 120);
const SEED = Number(process.env.EVAL_SEED ?? 7);
const NOISES = ['white', 'pink', 'brown', 'babble', 'hum', 'fan'] as const;
type Noise = (typeof NOISES)[number];

const random = prng(SEED);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

const files = librispeechFiles();
const cache = new Map<string, Float32Array>();
const clip = (path: string) => {
  let x = cache.get(path);
  if (!x) cache.set(path, (x = decodeFlac(path)));
  return x;
};

function noise(kind: Noise, n: number, seed: number): Float32Array {
  const r = prng(seed);
  const out = new Float32Array(n);
  if (kind === 'white') for (let i = 0; i < n; i++) out[i] = gaussian(r);
  else if (kind === 'pink') {
    // Paul Kellet's refined pink filter.
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0; // prettier-ignore
    for (let i = 0; i < n; i++) {
      const w = gaussian(r);
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
      b6 = w * 0.115926;
    }
  } else if (kind === 'brown') {
    let v = 0;
    for (let i = 0; i < n; i++) out[i] = v = 0.995 * v + 0.1 * gaussian(r);
  } else if (kind === 'hum') {
    const f0 = r() < 0.5 ? 50 : 60;
    const phases = [0, 1, 2, 3, 4].map(() => r() * 2 * Math.PI);
    for (let i = 0; i < n; i++) {
      let s = 0.05 * gaussian(r);
      for (let h = 1; h <= 5; h++) s += Math.sin((2 * Math.PI * f0 * h * i) / SR + phases[h - 1]!) / h;
      out[i] = s;
    }
  } else if (kind === 'fan') {
    let lp = 0;
    for (let i = 0; i < n; i++) {
      lp += 0.12 * (gaussian(r) - lp);
      out[i] = lp + 0.2 * Math.sin((2 * Math.PI * 120 * i) / SR);
    }
  } else {
    // babble: three other speakers, random offsets
    for (let k = 0; k < 3; k++) {
      const other = clip(files[Math.floor(r() * files.length)]!);
      const off = Math.floor(r() * Math.max(1, other.length - n));
      for (let i = 0; i < n; i++) out[i] = out[i]! + (other[(off + i) % other.length] ?? 0);
    }
  }
  return out;
}

interface Mic {
  name: string;
  gain: number;
  snrDb: number;
  noise: Noise;
  acousticMs: number;
  leadS: number;
  tailS: number;
  skewMs: number;
  netMs: number;
  samples: Float32Array;
}

function makeMic(name: string, speech: Float32Array, seed: number): Mic {
  const gain = uniform(0.15, 1.5);
  const snrDb = uniform(-5, 25);
  const kind = pick(NOISES);
  const acousticMs = uniform(0, 30);
  const leadS = uniform(0.1, 0.5);
  const tailS = uniform(0.1, 0.5);
  const lead = Math.round((leadS + acousticMs / 1000) * SR);
  const n = lead + speech.length + Math.round(tailS * SR);
  const nz = noise(kind, n, seed);
  const speechPower = power(speech) * gain * gain;
  const scale = Math.sqrt(speechPower / 10 ** (snrDb / 10) / Math.max(power(nz), 1e-12));
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = i >= lead && i < lead + speech.length ? speech[i - lead]! * gain : 0;
    samples[i] = Math.max(-1, Math.min(1, s + scale * nz[i]!));
  }
  return {
    name,
    gain,
    snrDb,
    noise: kind,
    acousticMs,
    leadS,
    tailS,
    skewMs: uniform(-3000, 3000),
    netMs: uniform(0, 300),
    samples,
  };
}

interface ChunkRow {
  id: string;
  stream_id: string;
  status: string;
  rms: number;
  snr_db: number;
  score: number;
}

async function main(): Promise<void> {
  const header = machine();
  const server = await startServer();
  const results: Array<{
    mics: Mic[];
    truth: string;
    winner: string | null;
    jobs: number;
    gap: number;
    regret: number;
    firstArrival: string;
    loudest: string;
    bestMeasuredSnr: string;
    bestChunkScore: string;
    decisionMs: number;
  }> = [];
  let session: { auth: string } | undefined;
  try {
    for (let s = 0; s < SCENES; s++) {
      const file = files[Math.floor(random() * files.length)]!;
      const full = clip(file);
      const from = Math.floor(uniform(0.5, Math.max(0.6, full.length / SR - 3.2)) * SR);
      const speech = full.slice(from, from + Math.round(2.5 * SR));
      const count = 2 + Math.floor(random() * 3);
      const mics = Array.from({ length: count }, (_, k) =>
        makeMic(`mic${k}`, speech, SEED * 1000 + s * 10 + k),
      );
      const net = await setupNetwork(
        server.baseUrl,
        mics.map((m) => m.name),
        session,
      );
      session = { auth: net.auth };
      // The utterance ends "now"; each device uploads its copy after its network delay, stamped by its own clock.
      const endAt = Date.now();
      const posts = mics.map(async (m) => {
        await sleep(m.netMs);
        const durMs = (m.samples.length / SR) * 1000;
        const capturedAt = endAt - durMs + m.tailS * 1000 + m.skewMs;
        const r = await postChunk(
          server.baseUrl,
          net.networkId,
          net.tokens[m.name]!,
          m.name,
          m.samples,
          capturedAt,
        );
        if (r.status !== 200) throw new Error(`upload failed: ${r.status} ${JSON.stringify(r.body)}`);
        return r;
      });
      await Promise.all(posts);
      const sentAll = Date.now();
      let rows: ChunkRow[] = [];
      for (;;) {
        rows = (
          await server.db.query<ChunkRow>(
            `SELECT id, stream_id, status, rms, snr_db, score FROM stream_chunks WHERE network_id = $1`,
            [net.networkId],
          )
        ).rows;
        if (rows.length === mics.length && rows.every((r) => r.status !== 'pending')) break;
        if (Date.now() - sentAll > 30_000) throw new Error('no decision within 30 s');
        await sleep(20);
      }
      const decisionMs = Date.now() - sentAll;
      const jobs = Number(
        (
          await server.db.query(
            `SELECT count(*)::int AS n FROM jobs WHERE network_id = $1 AND type = 'utterance.process'`,
            [net.networkId],
          )
        ).rows[0].n,
      );
      const bySnr = [...mics].sort((a, b) => b.snrDb - a.snrDb);
      const truth = bySnr[0]!.name;
      const winnerRow = rows.find((r) => r.status === 'won');
      const winner = winnerRow?.stream_id ?? null;
      const snrOf = (name: string | null) => mics.find((m) => m.name === name)?.snrDb ?? -Infinity;
      const argmax = (f: (r: ChunkRow) => number) =>
        [...rows].sort((a, b) => f(b) - f(a) || (a.stream_id < b.stream_id ? -1 : 1))[0]!.stream_id;
      if (process.env.EVAL_DEBUG && winner !== truth) {
        process.stderr.write(
          `${JSON.stringify({
            mics: mics.map((m) => ({
              n: m.name,
              snr: +m.snrDb.toFixed(1),
              noise: m.noise,
              gain: +m.gain.toFixed(2),
            })),
            rows: rows.map((r) => ({
              n: r.stream_id,
              st: r.status,
              snr: r.snr_db,
              score: r.score,
              rms: r.rms,
            })),
          })}\n`,
        );
      }
      results.push({
        mics,
        truth,
        winner,
        jobs,
        gap: bySnr[0]!.snrDb - bySnr[1]!.snrDb,
        regret:
          winner === null
            ? bySnr[0]!.snrDb - bySnr[bySnr.length - 1]!.snrDb
            : bySnr[0]!.snrDb - snrOf(winner),
        firstArrival: [...mics].sort((a, b) => a.netMs - b.netMs)[0]!.name,
        loudest: argmax((r) => Number(r.rms)),
        bestMeasuredSnr: argmax((r) => Number(r.snr_db)),
        bestChunkScore: argmax((r) => Number(r.score)),
        decisionMs,
      });
      if ((s + 1) % 20 === 0) {
        const ok = results.filter((r) => r.winner === r.truth).length;
        process.stderr.write(
          `[eval] ${s + 1}/${SCENES} scenes, accuracy so far ${((100 * ok) / results.length).toFixed(1)} %\n`,
        );
      }
    }
  } finally {
    await server.stop();
  }

  const n = results.length;
  const pct = (k: number, of = n) => (of === 0 ? 'n/a' : `${((100 * k) / of).toFixed(1)} %`);
  const correct = results.filter((r) => r.winner === r.truth).length;
  const duplicates = results.filter((r) => r.jobs > 1).length;
  const misses = results.filter((r) => r.jobs === 0).length;
  const wrong = results.filter((r) => r.winner !== r.truth);
  const buckets: Array<[string, (g: number) => boolean]> = [
    ['< 1 dB', (g) => g < 1],
    ['1–3 dB', (g) => g >= 1 && g < 3],
    ['3–6 dB', (g) => g >= 3 && g < 6],
    ['≥ 6 dB', (g) => g >= 6],
  ];
  const byCount = [2, 3, 4].map((c) => {
    const rs = results.filter((r) => r.mics.length === c);
    return `| ${c} | ${rs.length} | ${pct(rs.filter((r) => r.winner === r.truth).length, rs.length)} |`;
  });
  const policy = (f: (r: (typeof results)[number]) => string) =>
    pct(results.filter((r) => f(r) === r.truth).length);
  const body = `Command: \`npm run eval:arbitration\` (EVAL_SCENES=${SCENES}, EVAL_SEED=${SEED}); ${header}; default
arbitration settings; one run (the scenes are seeded; decisions depend only on the audio, so reruns agree).

| Metric | Value |
|---|---|
| Scenes (2–4 microphones, fresh network each) | ${n} |
| **Accuracy** (winner = highest-SNR copy) | **${pct(correct)}** (${correct}/${n}) |
| **Duplicates** (scenes with > 1 \`utterance.process\` job) | **${duplicates}** |
| Misses (no copy forwarded) | ${misses} |
| Mean SNR regret when wrong | ${wrong.length ? (wrong.reduce((a, r) => a + r.regret, 0) / wrong.length).toFixed(2) : '0'} dB |
| Decision latency after the last upload, p50 / p95 | ${percentile(
    results.map((r) => r.decisionMs),
    50,
  )} / ${percentile(
    results.map((r) => r.decisionMs),
    95,
  )} ms |

Accuracy by the SNR gap between the best two copies:

| Gap | Scenes | Accuracy |
|---|---|---|
${buckets
  .map(([label, f]) => {
    const rs = results.filter((r) => f(r.gap));
    return `| ${label} | ${rs.length} | ${pct(rs.filter((r) => r.winner === r.truth).length, rs.length)} |`;
  })
  .join('\n')}

By number of microphones:

| Microphones | Scenes | Accuracy |
|---|---|---|
${byCount.join('\n')}

Other policies on the same scenes (same uploads, read back from the stored chunk metrics):

| Policy | Accuracy |
|---|---|
| Mira (cross-copy SNR on the same sound, hysteresis, tie rules) | ${pct(correct)} |
| Each clip's own AudioModule quality score (stream score at ingestion) | ${policy((r) => r.bestChunkScore)} |
| Each clip's own AudioModule snr_db | ${policy((r) => r.bestMeasuredSnr)} |
| Loudest (highest RMS) | ${policy((r) => r.loudest)} |
| First arrival (Home Assistant's first-come-first-served) | ${policy((r) => r.firstArrival)} |
`;
  writeSection('Streams', body, 'Arbitration accuracy (eval:arbitration)');
  process.stdout.write(`${body}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
