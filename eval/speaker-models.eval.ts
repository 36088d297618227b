/**
 * npm run eval:speakers:model — every speaker model the pipeline loads (the weak MFCC baseline, and
 * models/mira-speaker-v1.onnx when present, plus any manifest model in MODEL_DIR) under the conditions the product
 * meets: 3 clean enrolment utterances per dev speaker, tests that are clean (≥ 5 s), clean 2 s crops, white / pink /
 * babble noise at 5 dB before and after the product's denoiser, and 8 kHz telephone band. EER and closed-set top-1.
 * Writes the `## Speaker model evaluation` section of BENCHMARKS.md.
 */
import { loadavg } from 'node:os';
import { mixAtSnr, pinkNoise, whiteNoise } from '../libs/audio/src/dsp/signal.js';
import {
  babble,
  devSpeakerFiles,
  evalPipeline,
  fmt,
  load,
  machine,
  trainFiles,
  writeSection,
} from './lib.js';
import { scoreSpeakers, type SpeakerSet } from './speaker-eval.js';

const SR = 16000;
const pipeline = await evalPipeline();
const header = machine();
const babbleSources = await Promise.all(
  trainFiles()
    .slice(100, 104)
    .map((f) => load(pipeline, f)),
);

/** Second-order Butterworth high-pass (RBJ biquad). */
function highPass(x: Float32Array, cutoff: number): Float32Array {
  const w = (2 * Math.PI * cutoff) / SR;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b0 = (1 + cos) / 2 / a0;
  const b1 = -(1 + cos) / a0;
  const b2 = b0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  const y = new Float32Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = b0 * x[i]! + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x[i]!;
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

const sets: SpeakerSet[] = [];
let seed = 1000;
for (const { speaker, files } of devSpeakerFiles()) {
  const clips = await Promise.all(files.map((f) => load(pipeline, f)));
  sets.push({ speaker, enrol: clips.slice(0, 3), tests: clips.slice(3).filter((c) => c.length >= 5 * SR) });
}
const noisy = (kind: 'white' | 'pink' | 'babble') => async (x: Float32Array) => {
  const noise =
    kind === 'white'
      ? whiteNoise(x.length, seed++)
      : kind === 'pink'
        ? pinkNoise(x.length, seed++)
        : babble(babbleSources, x.length);
  return mixAtSnr(x, noise, 5);
};
const conditions: Array<[string, (x: Float32Array) => Promise<Float32Array>]> = [
  ['clean, ≥ 5 s', async (x) => x],
  ['clean, 2 s crop', async (x) => x.slice(Math.floor(x.length / 2) - SR, Math.floor(x.length / 2) + SR)],
  ['white 5 dB', noisy('white')],
  ['white 5 dB → denoiser', async (x) => pipeline.denoise(await noisy('white')(x))],
  ['pink 5 dB', noisy('pink')],
  ['pink 5 dB → denoiser', async (x) => pipeline.denoise(await noisy('pink')(x))],
  ['babble 5 dB', noisy('babble')],
  ['babble 5 dB → denoiser', async (x) => pipeline.denoise(await noisy('babble')(x))],
  [
    '8 kHz telephone band',
    async (x) =>
      highPass(
        await pipeline.resampler.resample(await pipeline.resampler.resample(x, SR, 8000), 8000, SR),
        300,
      ),
  ],
];

const tables: string[] = [];
for (const [modelId, embedder] of pipeline.speakers) {
  const rows: string[] = [];
  for (const [name, transform] of conditions) {
    seed = 1000; // same noise for every model
    const r = await scoreSpeakers(pipeline, modelId, sets, transform);
    rows.push(`| ${name} | ${fmt(100 * r.eer, 1)} % | ${fmt(100 * r.top1, 1)} % | ${r.trials} |`);
    console.log(modelId, name, r.eer.toFixed(3), r.top1.toFixed(3));
  }
  tables.push(`### ${modelId}${embedder.weak ? ' (WEAK baseline)' : ''}, dimension ${embedder.dimension}

| test condition | EER | top-1 (5 speakers) | trials |
|---|---|---|---|
${rows.join('\n')}`);
}

writeSection(
  'Speaker model evaluation',
  `Command: \`npm run eval:speakers:model\` (eval/speaker-models.eval.ts). Machine: ${header}.
Data: LibriSpeech test-other-dev (CC BY 4.0), 5 speakers × 10 utterances: the first 3 utterances of each speaker (clean)
are the enrolment (centroid of L2-normalised embeddings); the remaining utterances of ≥ 5 s are the tests, transformed
per condition. Babble = 4 other speakers (train-clean-100). "→ denoiser" = the product's denoiser
(${pipeline.engines().denoise!.engine}) applied before embedding. Telephone band = 16 → 8 → 16 kHz plus a 300 Hz
high-pass. EER over all (test, enrolled speaker) cosine scores; top-1 = closed set of 5. With 5 speakers and
${sets.reduce((a, s) => a + s.tests.length, 0)} test utterances these figures are coarse (one error moves top-1 by several
points), and a speaker's dev utterances come from one recording session, so the clean rows are optimistic: noise is
where the baseline breaks.

${tables.join('\n\n')}

Load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}.`,
);
pipeline.close();
