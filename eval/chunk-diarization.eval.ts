/**
 * npm run eval:diarization:chunks — does an ordinary 10 s chunk with two voices come apart, and does a chunk of one
 * voice stay whole (the false-split rate)? Speakers the speaker model never trained on (CC BY 4.0):
 * - one voice: each test-other-dev speaker's utterances one after the other (0.4 s apart) cut into 10 s chunks, and
 *   one 10 s chunk of each of the 30 train-clean-100 speakers of the model's dev split;
 * - two voices: a test-other-dev speaker for 3–7 s, a 0.4 s pause, another one to the end of the 10 s;
 * clean, and with babble (4 other LibriSpeech voices) or pink noise at 10 dB SNR.
 * Each chunk takes the utterance pipeline's path (libs/utterance): extractSpeech, the heard SNR, then what
 * ChunkVoiceSplitter decides with the rules of chunk-voices.ts: no diarization under 4 s of speech, the diarizer on
 * the denoised clip, short turns given to a neighbour, each voice embedded on its own speech, voices that score as one
 * voice by the policy's gathering line joined. Nobody is enrolled here, so the policy's other join (two voices named
 * as the same person) never helps: these are the figures for voices nobody knows, the harder case.
 * CHUNK_EVAL_TWO_VOICE (chunks per two-voice row, 40), CHUNK_EVAL_CONDITIONS (comma-separated) and CHUNK_EVAL_OPTIONS
 * (JSON overrides of the diarization options, for tuning) change the run.
 * Writes the `Diarization inside a chunk` block of BENCHMARKS.md (all three conditions, default options).
 */
import { loadavg } from 'node:os';
import {
  babble,
  concatSamples,
  diarizationEngines,
  diarizationOptions,
  diarizeDenoised,
  mixAtSnr,
  noiseJudgementSnrDb,
  pinkNoise,
  SAMPLE_RATE,
} from '@mira/audio';
import { seededRandom } from '@mira/core';
import { defaultPolicyFor } from '@mira/recognition';
import {
  candidateTurns,
  CHUNK_DIARIZATION,
  distinctVoicesBelow,
  mergeVoices,
  sameVoices,
} from '@mira/utterance';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import {
  librispeechDevSpeakers,
  librispeechTrainFiles,
  LIBRISPEECH_TRAIN_DIR,
} from '../tooling/shared-data.js';
import { babbleVoiceFiles, devSplitSpeakers, evalPipeline, fmt, load, median } from './lib.js';

const TWO_VOICE_CHUNKS = Number(process.env.CHUNK_EVAL_TWO_VOICE ?? 40);
const CHUNK_SECONDS = 10;
const PAUSE_SECONDS = 0.4;
const CONDITIONS = (process.env.CHUNK_EVAL_CONDITIONS ?? 'clean,babble 10 dB,pink 10 dB').split(',');

const started = machineLine();
const startLoad = loadavg()[0]!;
const pipeline = await evalPipeline();
const engines = diarizationEngines(pipeline);
const modelId = engines.modelId;
const options = diarizationOptions(
  modelId,
  JSON.parse(process.env.CHUNK_EVAL_OPTIONS ?? '{}') as Parameters<typeof diarizationOptions>[1],
);
const scale = pipeline.speakerScale(modelId);
const policy = defaultPolicyFor(modelId, scale);
const score = (test: Float32Array, references: Float32Array[]) =>
  pipeline.scoreVoices(modelId, test, references);

const pause = new Float32Array(Math.round(PAUSE_SECONDS * SAMPLE_RATE));
const chunkLength = CHUNK_SECONDS * SAMPLE_RATE;
const dev = await Promise.all(
  librispeechDevSpeakers().map(async ({ speaker, files }) => ({
    speaker,
    clips: await Promise.all(files.map((f) => load(pipeline, f))),
  })),
);
const devSplit = await Promise.all(
  devSplitSpeakers(modelId).flatMap((speaker) =>
    librispeechTrainFiles()
      .filter((f) => f.startsWith(`${LIBRISPEECH_TRAIN_DIR}/${speaker}-`))
      .map((f) => load(pipeline, f)),
  ),
);
const babbleVoices = await Promise.all(babbleVoiceFiles('evaluation').map((f) => load(pipeline, f)));

/** One voice: consecutive 10 s of a speaker's utterances, 0.4 s apart (the last chunk only when full enough). */
function oneVoiceChunks(): Float32Array[] {
  const out: Float32Array[] = [];
  for (const { clips } of dev) {
    const all = concatSamples(clips.flatMap((c) => [c, pause]));
    for (let at = 0; at + 0.8 * chunkLength <= all.length; at += chunkLength) {
      out.push(fit(all.subarray(at, at + chunkLength)));
    }
  }
  for (const clip of devSplit) out.push(fit(clip.subarray(0, chunkLength)));
  return out;
}

function twoVoiceChunk(seed: number): { samples: Float32Array; change: number } {
  const random = seededRandom(seed);
  const first = dev[Math.floor(random() * dev.length)]!;
  const others = dev.filter((s) => s !== first);
  const second = others[Math.floor(random() * others.length)]!;
  const a = first.clips[Math.floor(random() * first.clips.length)]!;
  const b = second.clips[Math.floor(random() * second.clips.length)]!;
  const firstSeconds = 3 + random() * 4;
  const head = a.subarray(0, Math.round(firstSeconds * SAMPLE_RATE));
  const samples = fit(concatSamples([head, pause, b]).subarray(0, chunkLength));
  return { samples, change: (head.length + pause.length) / SAMPLE_RATE };
}

function fit(x: Float32Array): Float32Array {
  const out = new Float32Array(chunkLength);
  out.set(x.subarray(0, chunkLength));
  return out;
}

function heard(samples: Float32Array, condition: string, seed: number): Float32Array {
  if (condition === 'clean') return samples;
  const noise =
    condition === 'pink 10 dB' ? pinkNoise(samples.length, seed) : babble(babbleVoices, samples.length);
  return mixAtSnr(samples, noise, 10);
}

interface Outcome {
  diarized: boolean;
  /** The diarizer alone found two or more voices. */
  diarizerSplit: boolean;
  /** What the pipeline records: two or more interactions. */
  split: boolean;
  /** Where the second voice's first turn starts. */
  cut: number | null;
  cpuSeconds: number;
}

/** One chunk along ChunkVoiceSplitter's path (the policy's per-voice judgement reduced to its embedding). */
async function splitChunk(samples: Float32Array): Promise<Outcome> {
  const cpu = process.cpuUsage();
  const outcome = (o: Omit<Outcome, 'cpuSeconds'>): Outcome => {
    const used = process.cpuUsage(cpu);
    return { ...o, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  const quality = await pipeline.assessQuality(samples);
  const speech = await pipeline.extractSpeech(samples);
  const none = { diarized: false, diarizerSplit: false, split: false, cut: null };
  if (speech.speechSeconds < CHUNK_DIARIZATION.minSpeechSeconds) return outcome(none);
  const snrDb = noiseJudgementSnrDb(quality.snr_db, samples);
  const diarization = await diarizeDenoised(engines, speech.denoised, options, snrDb);
  const turns = candidateTurns(diarization.turns);
  if (!turns) return outcome({ ...none, diarized: true });
  const voices = [];
  for (const label of new Set(turns.map((t) => t.speaker))) {
    const own = turns
      .filter((t) => t.speaker === label)
      .map((t) =>
        speech.denoised.subarray(Math.floor(t.start * SAMPLE_RATE), Math.ceil(t.end * SAMPLE_RATE)),
      );
    voices.push({ label, personId: null, embedding: (await pipeline.embed(concatSamples(own))).vector });
  }
  const merged = mergeVoices(turns, sameVoices(voices, score, distinctVoicesBelow(policy, snrDb)));
  const split = new Set(merged.map((t) => t.speaker)).size >= 2;
  const cut = split ? merged.find((t) => t.speaker !== merged[0]!.speaker)!.start : null;
  return outcome({ diarized: true, diarizerSplit: true, split, cut });
}

const pct = (n: number, of: number) => (of ? fmt((100 * n) / of, 1) : '–');
const rows: string[] = [];
const oneVoice = oneVoiceChunks();
for (const condition of CONDITIONS) {
  for (const kind of ['one voice', 'two voices'] as const) {
    const outcomes: Array<Outcome & { change: number | null }> = [];
    const count = kind === 'one voice' ? oneVoice.length : TWO_VOICE_CHUNKS;
    for (let i = 0; i < count; i++) {
      const chunk = kind === 'one voice' ? { samples: oneVoice[i]!, change: null } : twoVoiceChunk(7000 + i);
      outcomes.push({
        ...(await splitChunk(heard(chunk.samples, condition, 300 + i))),
        change: chunk.change,
      });
    }
    const split = outcomes.filter((o) => o.split).length;
    const errors = outcomes
      .filter((o) => o.cut !== null && o.change !== null)
      .map((o) => Math.abs(o.cut! - o.change!));
    rows.push(
      `| ${condition} | ${kind} | ${count} | ${outcomes.filter((o) => o.diarized).length} | ` +
        `${pct(outcomes.filter((o) => o.diarizerSplit).length, count)} | **${pct(split, count)}** (${split}) | ` +
        `${errors.length ? fmt(median(errors), 2) : '–'} | ${fmt((1000 * median(outcomes.map((o) => o.cpuSeconds))) / 1, 0)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
}

// a tuning run (other options, fewer conditions) prints its rows only
if (CONDITIONS.length === 3 && !process.env.CHUNK_EVAL_OPTIONS) {
  writeBenchmark({
    area: 'Speakers',
    measure: 'Diarization inside a chunk (npm run eval:diarization:chunks)',
    body: [
      `eval/chunk-diarization.eval.ts. ${started} (1-min load ${fmt(startLoad, 1)} at start, ` +
        `${fmt(loadavg()[0]!, 1)} at the end). ` +
        `Speaker model ${modelId} (scale ${scale}; voices apart below ${distinctVoicesBelow(policy, null)} clean, ` +
        `${distinctVoicesBelow(policy, 0)} noisy), default diarization options.`,
      '',
      `Chunks of ${CHUNK_SECONDS} s of speakers held out of the model's training. One voice: ${oneVoice.length} chunks ` +
        "(each test-other-dev speaker's utterances one after the other cut into 10 s, and one of each of the 30 " +
        'dev-split train-clean-100 speakers). Two voices: one test-other-dev speaker for 3–7 s, a 0.4 s pause, ' +
        "another to the end. Each chunk takes the utterance pipeline's path (extractSpeech, heard SNR, " +
        'ChunkVoiceSplitter\'s rules in chunk-voices.ts) with nobody enrolled, so only the policy\'s "clearly unlike" line can ' +
        'join what the diarizer split (with enrolled speakers, two voices named as the same person also join). ' +
        'Diarizer split: the diarizer alone found two voices; split: the chunk becomes two or more interactions — ' +
        "for one voice, the false-split rate. Change error: |start of the second voice's first turn − true change|, " +
        'median over the split two-voice chunks. CPU: median per chunk of the whole path (denoise, VAD, diarization, ' +
        'embeddings), one onnxruntime thread.',
      '',
      '| condition | chunk | chunks | diarized (≥ 4 s speech) | diarizer split % | **split %** (n) | change error s | CPU ms |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  });
}
