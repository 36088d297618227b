/**
 * npm run bench:recordings — the processing time of a one-hour recording on one core, along the audio path of the
 * recording.process job (libs/recording): the hour as 30 s parts of PCM16; the diarization branch chosen once from the
 * median part's blind SNR; each part analysed (noise reduction when noisy, VAD, sliding-window embeddings); every
 * part's windows clustered into voices and turns (turns under 0.3 s dropped); then the identify stage's audio work:
 * each voice embedded once on its longest turns (up to 30 s), every turn's audio read (denoised again when the
 * recording was judged noisy), and, because nobody is enrolled here, every voice unknown and gathered: up to
 * GATHER_TURNS_PER_VOICE of its turns embedded once more. Not in it: decoding the upload, the database, the speaker
 * policy's arithmetic and transcription (Gemini, per turn, remote).
 * onnxruntime runs one intra-op thread; the figure is this process's CPU time (user + system), beside the wall time
 * on a shared machine. Same-run baseline: VAD alone over the same hour (the least any processing of it must do).
 * Audio: 5-minute 4-speaker conversations of LibriSpeech test-other-dev voices (CC BY 4.0; turns of 1–15 s, pauses,
 * 15 % overlaps, eval/diarization-lib.ts) one after another to one hour, clean and with babble at 10 dB.
 * RECORDING_BENCH_SECONDS / RECORDING_BENCH_RUNS change the length and the runs per condition.
 * Writes the `Recordings: one hour on one core` block of BENCHMARKS.md.
 */
import { loadavg } from 'node:os';
import {
  analyseSpeech,
  babble,
  blindSnrDb,
  clusterVoices,
  concatSamples,
  diarizationBranch,
  diarizationEngines,
  diarizationOptions,
  mixAtSnr,
  SAMPLE_RATE,
  type SpeechAnalysis,
} from '@mira/audio';
import { GATHER_TURNS_PER_VOICE, voiceSample } from '@mira/recording';
import { buildConversation, type SpeakerMaterial } from '../eval/diarization-lib.js';
import { babbleVoiceFiles, evalPipeline, fmt, load, median } from '../eval/lib.js';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import { librispeechDevSpeakers } from '../tooling/shared-data.js';

const SECONDS = Number(process.env.RECORDING_BENCH_SECONDS ?? 3600);
const RUNS = Number(process.env.RECORDING_BENCH_RUNS ?? 1);
/** The recording processor's part length (libs/recording, PCM_PART_SECONDS) and its shortest turn. */
const PART_SECONDS = 30;
const MIN_TURN_SECONDS = 0.3;

const machine = machineLine();
const pipeline = await evalPipeline();
const engines = diarizationEngines(pipeline);
const pool: SpeakerMaterial[] = await Promise.all(
  librispeechDevSpeakers().map(async ({ speaker, files }) => ({
    speaker,
    clips: await Promise.all(files.map((f) => load(pipeline, f))),
  })),
);
const babbleVoices = await Promise.all(babbleVoiceFiles('evaluation').map((f) => load(pipeline, f)));

function hourOf(condition: string): Float32Array {
  const audio = new Float32Array(SECONDS * SAMPLE_RATE);
  for (let offset = 0, i = 0; offset < audio.length; i++) {
    const c = buildConversation(pool, { seed: 90_000 + i, speakers: 4, seconds: 300, overlapChance: 0.15 });
    const heard =
      condition === 'clean' ? c.samples : mixAtSnr(c.samples, babble(babbleVoices, c.samples.length), 10);
    audio.set(heard.subarray(0, Math.min(heard.length, audio.length - offset)), offset);
    offset += heard.length;
  }
  return audio;
}

/** The parts as the processor reads them back from storage: PCM16, so the same rounding; fresh arrays each run. */
function partsOf(audio: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let at = 0; at < audio.length; at += PART_SECONDS * SAMPLE_RATE) {
    const part = audio.slice(at, Math.min(audio.length, at + PART_SECONDS * SAMPLE_RATE));
    for (let i = 0; i < part.length; i++)
      part[i] = Math.round(Math.max(-1, Math.min(1, part[i]!)) * 32767) / 32767;
    out.push(part);
  }
  return out;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
}

const slice = (audio: Float32Array, t: { start: number; end: number }) =>
  audio.subarray(Math.floor(t.start * SAMPLE_RATE), Math.ceil(t.end * SAMPLE_RATE));

interface Run {
  analyseCpu: number;
  clusterCpu: number;
  identifyCpu: number;
  cpu: number;
  wall: number;
  vadCpu: number;
  windows: number;
  voices: number;
  turns: number;
  denoised: boolean;
}

async function run(audio: Float32Array): Promise<Run> {
  const vad = await timed(async () => {
    for (const part of partsOf(audio)) await engines.detectSpeech(part);
  });
  const parts = partsOf(audio);
  const analysed = await timed(async () => {
    const snrs = parts.map((p) => blindSnrDb(p) ?? Infinity).sort((a, b) => a - b);
    const branch = diarizationBranch(diarizationOptions(engines.modelId), snrs[Math.floor(snrs.length / 2)]!);
    const analyses: SpeechAnalysis[] = [];
    for (const [i, part] of parts.entries()) {
      analyses.push(await analyseSpeech(engines, part, branch.options, branch.denoised, i * PART_SECONDS));
    }
    return { analyses, ...branch };
  });
  const clustered = await timed(async () => clusterVoices(analysed.value.analyses, analysed.value.options));
  const { denoised } = analysed.value;
  const turns = clustered.value.turns.filter((t) => t.end - t.start >= MIN_TURN_SECONDS);
  const identified = await timed(async () => {
    const heard = async (t: { start: number; end: number }) => {
      const samples = slice(audio, t);
      return denoised ? engines.denoise(samples) : samples;
    };
    for (const voice of clustered.value.speakers) {
      const pieces: Float32Array[] = [];
      for (const t of voiceSample(turns.filter((x) => x.speaker === voice.label)))
        pieces.push(await heard(t));
      await engines.embed(concatSamples(pieces));
    }
    const gathered = new Map<string, number>();
    for (const t of turns) {
      const samples = await heard(t);
      const n = gathered.get(t.speaker) ?? 0;
      if (n < GATHER_TURNS_PER_VOICE && samples.length >= SAMPLE_RATE) {
        gathered.set(t.speaker, n + 1);
        await engines.embed(samples);
      }
    }
  });
  return {
    analyseCpu: analysed.cpu,
    clusterCpu: clustered.cpu,
    identifyCpu: identified.cpu,
    cpu: analysed.cpu + clustered.cpu + identified.cpu,
    wall: analysed.wall + clustered.wall + identified.wall,
    vadCpu: vad.cpu,
    windows: clustered.value.windows,
    voices: clustered.value.speakers.length,
    turns: turns.length,
    denoised,
  };
}

const rows: string[] = [];
const loads: number[] = [loadavg()[0]!];
for (const condition of ['clean', 'babble 10 dB']) {
  const audio = hourOf(condition);
  const runs: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    runs.push(await run(audio));
    loads.push(loadavg()[0]!);
    console.log(condition, JSON.stringify(runs[runs.length - 1]));
  }
  const m = (pick: (r: Run) => number) => median(runs.map(pick));
  const last = runs[runs.length - 1]!;
  rows.push(
    `| ${condition} | ${fmt(SECONDS / 60, 0)} min | **${fmt(
      m((r) => r.cpu),
      0,
    )}** | ${fmt(
      m((r) => r.analyseCpu),
      0,
    )} | ` +
      `${fmt(
        m((r) => r.clusterCpu),
        1,
      )} | ${fmt(
        m((r) => r.identifyCpu),
        0,
      )} | ${fmt(
        m((r) => r.wall),
        0,
      )} | ` +
      `${fmt(
        m((r) => r.vadCpu),
        0,
      )} | ${fmt(m((r) => r.cpu) / m((r) => r.vadCpu), 1)} | ${last.windows} | ` +
      `${last.voices} | ${last.turns} | ${last.denoised ? 'yes' : 'no'} |`,
  );
}

writeBenchmark({
  area: 'Speakers',
  measure: 'Recordings: one hour on one core (npm run bench:recordings)',
  body: [
    `bench/recordings.bench.ts. ${machine}; 1-min load ${loads.map((l) => fmt(l, 1)).join(' → ')} over the run. ` +
      `Median of ${RUNS} run(s) per condition; onnxruntime one intra-op thread; the process's CPU time.`,
    '',
    'The audio work of the recording.process job on an hour after decoding: 30 s parts of PCM16, the diarization ' +
      'branch from the median part’s blind SNR, each part analysed (noise reduction when noisy; VAD; 1.5 s windows ' +
      'every 0.75 s embedded, 3 s every 1.5 s when noisy), all windows clustered into voices and turns, then the ' +
      'identify stage: each voice embedded on its longest 30 s, every turn read (denoised again when noisy) and, ' +
      `nobody being enrolled, up to ${GATHER_TURNS_PER_VOICE} turns of each unknown voice embedded for gathering. ` +
      'Audio: 5-minute 4-speaker conversations of the test-other-dev voices end to end. Not in it: decoding the ' +
      'upload, database writes and transcription (remote, per turn).',
    '',
    '| condition | audio | **CPU s** | analyse | cluster | identify | wall s | VAD alone, CPU s (baseline) | × VAD | windows | voices found | turns | denoised |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Target: ≤ 180 s of CPU for one hour on one core. The hour holds the 5 test-other-dev speakers only: voices ' +
      'found beyond 5 are speakers split into several voices over a long recording (see the DER figures of ' +
      'eval:diarization, measured on conversations of about a minute).',
  ].join('\n'),
});
