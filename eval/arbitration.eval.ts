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
 * simpler policies would have picked on the same scenes (each clip's own quality score or SNR, loudest, first arrival).
 *
 * Env: EVAL_SCENES (default 120), EVAL_SEED (default 11: held out; 23 is a second held-out seed; 3, 5 and 7 were used while developing the ranking). Writes its seed's run of "Arbitration accuracy" in BENCHMARKS.md (Streams), first.
 */
import { sceneGenerator, type Mic } from './arbitration-scenes.js';
import { BENCHMARK_MEASURES, machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import { percentile, postChunk, setupNetwork, sleep, SR, startServer } from './streams-lib.js';

const SCENES = Number(process.env.EVAL_SCENES ?? 120);
const SEED = Number(process.env.EVAL_SEED ?? 11);
/** Seeds never run while the ranking was developed (3, 5 and 7 were, with eval/arbitration-offline.ts). */
const HELD_OUT = [11, 23];
const nextScene = sceneGenerator(SEED);

interface ChunkRow {
  id: string;
  stream_id: string;
  status: string;
  rms: number;
  snr_db: number;
  score: number;
}

async function main(): Promise<void> {
  const header = machineLine();
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
      const { mics } = nextScene();
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
      // Each copy's own figures as ingestion answered them, on one basis for all (the stored rows of the copies the
      // arbitration judged carry the VAD's figures instead).
      const answered = new Map(
        (await Promise.all(posts)).map((r) => [
          r.body.chunk_id as string,
          {
            score: Number(r.body.quality_score),
            snrDb: Number((r.body.quality as { snr_db: number }).snr_db),
          },
        ]),
      );
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
        bestMeasuredSnr: argmax((r) => answered.get(r.id)?.snrDb ?? -Infinity),
        bestChunkScore: argmax((r) => answered.get(r.id)?.score ?? -Infinity),
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
| Each clip's own quality score as ingestion answers it (stream score; energy estimate) | ${policy((r) => r.bestChunkScore)} |
| Each clip's own snr_db as ingestion answers it (energy estimate) | ${policy((r) => r.bestMeasuredSnr)} |
| Loudest (highest RMS) | ${policy((r) => r.loudest)} |
| First arrival (Home Assistant's first-come-first-served) | ${policy((r) => r.firstArrival)} |
`;
  writeBenchmark({
    area: 'Streams',
    measure: BENCHMARK_MEASURES.arbitration,
    run:
      SEED === 11
        ? 'Seed 11 (held out, the default)'
        : SEED === 7
          ? 'Seed 7 (development)'
          : `Seed ${SEED}${HELD_OUT.includes(SEED) ? ' (held out)' : ''}`,
    body,
  });
  process.stdout.write(`${body}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
