/**
 * npm run bench:audio — real-time factor (processing time / audio duration) per audio stage and for the whole chain,
 * median over RUNS runs of CLIPS LibriSpeech clips (train-clean-100, 10–15 s each), plus event-loop delay p99 while
 * the chain runs. Single process, onnxruntime with one intra-op thread. Writes the `## Audio` section of BENCHMARKS.md.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { blindSnrDb } from '@mira/audio';
import { centroidOf } from '@mira/core';
import { VoiceprintCipher } from '@mira/recognition';
import { librispeechTrainFiles } from '../tooling/shared-data.js';
import { evalPipeline, fmt, median } from '../eval/lib.js';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';

const CLIPS = Number(process.argv[2] ?? 8);
const RUNS = Number(process.argv[3] ?? 5);

const pipeline = await evalPipeline();
const files = librispeechTrainFiles().slice(0, CLIPS);
const bytes = files.map((f) => readFileSync(f));
const decoded = await Promise.all(bytes.map((b) => pipeline.decode(b)));
const totalSeconds = decoded.reduce((a, d) => a + d.durationSeconds, 0);
// 44.1 kHz copies for the resampler stage
const at44k = await Promise.all(decoded.map((d) => pipeline.resampler.resample(d.samples, 16000, 44100)));

type Stage = (i: number) => Promise<unknown>;
const stages: Record<string, Stage> = {
  decode_flac: (i) => pipeline.decode(bytes[i]!),
  resample_44k1_to_16k: (i) => pipeline.resampler.resample(at44k[i]!, 44100, 16000),
  // Fresh copies: VAD results are cached per sample array, and each stage must be measured doing its own work.
  quality: (i) => pipeline.assessQuality(decoded[i]!.samples.slice()),
  // the speaker policy's second SNR estimate (amplitude distribution), on the chunk as heard
  blind_snr: async (i) => blindSnrDb(decoded[i]!.samples),
  denoise: (i) => pipeline.denoise(decoded[i]!.samples),
  vad: (i) => pipeline.detectSpeech(decoded[i]!.samples.slice()),
  embed: (i) => pipeline.embed(decoded[i]!.samples),
  // enrolment's extra work per sample: the voice heard in white, pink and babble noise (3 × denoise → VAD → embed)
  enrol_in_noise: (i) => pipeline.embedInNoise(decoded[i]!.samples),
  whole_chain: async (i) => {
    const d = await pipeline.decode(bytes[i]!);
    await pipeline.assessQuality(d.samples);
    blindSnrDb(d.samples);
    const clean = await pipeline.denoise(d.samples);
    await pipeline.detectSpeech(clean);
    await pipeline.embed(clean);
  },
};

const header = machineLine();
const rows: string[] = [];
const histogram = monitorEventLoopDelay({ resolution: 1 });
for (const [name, stage] of Object.entries(stages)) {
  await stage(0); // warm-up
  const rtfs: number[] = [];
  const cpuRtfs: number[] = [];
  if (name === 'whole_chain') histogram.enable();
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < files.length; i++) await stage(i);
    rtfs.push((performance.now() - start) / 1000 / totalSeconds);
    const cpu = process.cpuUsage(cpu0);
    cpuRtfs.push((cpu.user + cpu.system) / 1e6 / totalSeconds);
  }
  if (name === 'whole_chain') histogram.disable();
  rows.push(
    `| ${name} | ${fmt(median(cpuRtfs), 4)} | ${fmt(median(rtfs), 4)} | ${fmt(Math.min(...rtfs), 4)} | ${fmt(Math.max(...rtfs), 4)} |`,
  );
  console.log(
    name,
    'wall',
    rtfs.map((x) => x.toFixed(4)).join(' '),
    'cpu',
    cpuRtfs.map((x) => x.toFixed(4)).join(' '),
  );
}
// One embedding of 3 s of speech per call, per loaded speaker model (target ≤ 10 ms on one core)
const embedRows: string[] = [];
for (const [modelId] of pipeline.speakers) {
  const ms: number[] = [];
  for (let k = 0; k < 60; k++) {
    const clip = decoded[k % decoded.length]!.samples;
    const start = (k * 7919) % (clip.length - 3 * 16000);
    const crop = clip.slice(start, start + 3 * 16000);
    const t0 = performance.now();
    await pipeline.embed(crop, modelId);
    if (k >= 10) ms.push(performance.now() - t0); // the first 10 warm up
  }
  ms.sort((a, b) => a - b);
  embedRows.push(
    `| ${modelId} | ${fmt(median(ms), 1)} | ${fmt(ms[Math.floor(ms.length * 0.95)]!, 1)} | ${ms.length} |`,
  );
  console.log('embed 3 s', modelId, median(ms).toFixed(1), 'ms');
}
// Scoring one utterance against a network's persons on the model's scale (cohort normalisation: every
// centroid and the test are compared with the whole cohort), for 5 / 20 / 50 persons
const scoreRows: string[] = [];
const scoringModel = pipeline.speaker!;
const scoringVectors = await Promise.all(
  decoded.map(async (d) => (await pipeline.embed(d.samples.slice(0, 3 * 16000))).vector),
);
for (const persons of [5, 20, 50]) {
  // distinct persons (the 8 clips' voices, each copy nudged so that no two centroids are equal)
  const centroids = Array.from({ length: persons }, (_, i) =>
    scoringVectors[i % scoringVectors.length]!.map((x, d) => (d === 1 ? x + 1e-3 * i : x)),
  );
  const warm: number[] = [];
  const cold: number[] = [];
  for (let k = 0; k < 40; k++) {
    const test = scoringVectors[k % scoringVectors.length]!;
    let t0 = performance.now();
    pipeline.scoreVoices(scoringModel.modelId, test, centroids);
    if (k >= 5) warm.push(performance.now() - t0);
    // voiceprints that changed since the last utterance (a new sample): nothing known about them yet
    const changed = centroids.map((c, i) => c.map((x, d) => (d === 0 ? x + 1e-4 * (k * 1000 + i + 1) : x)));
    t0 = performance.now();
    pipeline.scoreVoices(scoringModel.modelId, test, changed);
    if (k >= 5) cold.push(performance.now() - t0);
  }
  // Reading the network's voiceprints for that utterance (VoiceprintService.centroids): a sample is decrypted
  // (AES-256-GCM) the first time it is read and kept; every read averages each person's samples. Worst case under the
  // default policy: 3 enrolment samples with their copies heard in noise and 5 automatic samples per person.
  const cipher = new VoiceprintCipher(randomBytes(32));
  const aad = { networkId: '00000000-0000-4000-8000-000000000000', modelId: scoringModel.modelId };
  const stored = centroids.map((c) => ({
    clean: Array.from({ length: 8 }, () => cipher.encrypt(c, aad)),
    noisy: Array.from({ length: 3 }, () => cipher.encrypt(c, aad)),
  }));
  const averagePerson = (person: { clean: Float32Array[]; noisy: Float32Array[] }) => {
    centroidOf(person.clean);
    centroidOf(person.noisy);
  };
  const firstReads: number[] = [];
  const laterReads: number[] = [];
  for (let k = 0; k < 40; k++) {
    let t0 = performance.now();
    const kept = stored.map((person) => ({
      clean: person.clean.map((b) => cipher.decrypt(b, aad)),
      noisy: person.noisy.map((b) => cipher.decrypt(b, aad)),
    }));
    kept.forEach(averagePerson);
    if (k >= 5) firstReads.push(performance.now() - t0);
    t0 = performance.now();
    kept.forEach(averagePerson);
    if (k >= 5) laterReads.push(performance.now() - t0);
  }
  scoreRows.push(
    `| ${persons} | ${fmt(median(warm), 2)} | ${fmt(median(cold), 2)} | ${fmt(median(firstReads), 2)} / ${fmt(median(laterReads), 2)} (${persons * 11} vectors) |`,
  );
  console.log(
    'score',
    persons,
    'persons',
    median(warm).toFixed(2),
    'ms warm',
    median(cold).toFixed(2),
    'ms cold',
    median(firstReads).toFixed(2),
    'ms voiceprints first read',
    median(laterReads).toFixed(2),
    'ms later reads',
  );
}
const p99 = histogram.percentile(99) / 1e6;
const max = histogram.max / 1e6;
console.log(`event-loop delay p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);

writeBenchmark({
  area: 'Audio',
  measure: 'Speed of each stage (npm run bench:audio)',
  body: `Command: \`npm run bench:audio\` (bench/audio.bench.ts; ${CLIPS} LibriSpeech train-clean-100 clips, ${totalSeconds.toFixed(
    1,
  )} s of audio, ${RUNS} runs, median). Machine: ${header}; load average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}. The machine is shared with other jobs, so figures are upper bounds.
Engines: ${Object.entries(pipeline.engines())
    .map(([k, v]) => `${k}=${v.engine}${v.model ? `(${v.model})` : ''}`)
    .join(', ')}. onnxruntime-node, 1 intra-op thread.

Real-time factor = processing time / audio duration (lower is better; 0.05 = 20× faster than real time).
"CPU RTF" is process CPU time (main thread + onnxruntime thread) / audio duration: what one core spends, less
sensitive to other jobs on the machine than wall time.

| stage | CPU RTF median | wall RTF median | wall RTF min | wall RTF max |
|---|---|---|---|---|
${rows.join('\n')}

Event-loop delay while the whole chain ran: p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms (ONNX runs are async;
the TypeScript STFT/feature loops run on the main thread between them).

Targets: whole chain ≤ 0.05, denoise ≤ 0.03. \`enrol_in_noise\` is what an enrolment sample costs on top of
its own embedding (multi-condition enrolment: three noisy copies through denoise → VAD → embed); no target.

One speaker embedding of 3 s of speech (wall time per call, 50 calls after 10 warm-up; target: ≤ 10 ms
on one core):

| speaker model | median ms | p95 ms | calls |
|---|---|---|---|
${embedRows.join('\n')}

Scoring one utterance against a network's persons with ${scoringModel.modelId} on its scale
(${pipeline.speakerScale(scoringModel.modelId)}${scoringModel.normaliser ? `, cohort of ${scoringModel.normaliser.cohortSize} voices` : ''}; wall time per call, median of 35 after 5 warm-up). The last
column is the work before scoring: reading the network's voiceprints (AES-256-GCM decryption of a stored sample the
first time it is read, then the per-person centroids; 3 enrolment samples with their copies heard in noise and 5
automatic samples per person, the most the default policy keeps), without the database query:

| persons | median ms, voiceprints unchanged since the last utterance | median ms, every voiceprint new | median ms reading the voiceprints: first read (decrypt + average) / later reads (average) |
|---|---|---|---|
${scoreRows.join('\n')}`,
});
pipeline.close();
