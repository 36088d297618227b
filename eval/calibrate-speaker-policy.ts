/**
 * npm run eval:speakers:calibrate — where the default speaker model's cosine scores fall, to set its built-in policy
 * defaults (libs/recognition/src/speaker-policy.ts). Uses the 30 train-clean-100 speakers held out of the model's
 * training (its dev split), never the evaluation speakers. Each utterance's first half, in three parts, is the
 * enrolment (centroid); its second half is the test, clean or mixed with white / pink / babble noise at 5 dB. Every
 * clip takes the product's path: denoise → VAD speech → embed. Prints miss and false-accept rates per threshold,
 * per condition and pooled, plus how often the margin rule (top-1 minus top-2) would have stopped a wrong name.
 */
import { mixAtSnr, pinkNoise, whiteNoise } from '../libs/audio/src/dsp/signal.js';
import { centroidOf, cosine } from '../libs/recognition/src/speaker-policy.js';
import { babble, DEV_SPLIT_SPEAKERS, evalPipeline, load, trainFiles } from './lib.js';

const SR = 16000;
const pipeline = await evalPipeline();
const model = pipeline.speaker!;
console.log('speaker model', model.modelId);

const embed = async (x: Float32Array) =>
  (await pipeline.embed((await pipeline.extractSpeech(x)).speech, model.modelId)).vector;

const files = trainFiles();
const dev = files.filter((f) => DEV_SPLIT_SPEAKERS.includes(f.split('/').pop()!.split('-')[0]!));
const babbleSources = await Promise.all(
  files
    .filter((f) => !dev.includes(f))
    .slice(0, 4)
    .map((f) => load(pipeline, f)),
);
const speakers: Array<{ centroid: Float32Array; test: Float32Array }> = [];
for (const f of dev) {
  const x = await load(pipeline, f);
  if (x.length < 8 * SR) continue; // too short to give both enrolment and a test
  const half = x.length >> 1;
  const third = Math.floor(half / 3);
  const parts = [0, 1, 2].map((k) => x.subarray(k * third, (k + 1) * third));
  speakers.push({ centroid: centroidOf(await Promise.all(parts.map(embed))), test: x.slice(half) });
}

let seed = 7000;
const conditions: Array<[string, (x: Float32Array) => Float32Array]> = [
  ['clean', (x) => x],
  ['white 5 dB', (x) => mixAtSnr(x, whiteNoise(x.length, seed++), 5)],
  ['pink 5 dB', (x) => mixAtSnr(x, pinkNoise(x.length, seed++), 5)],
  ['babble 5 dB', (x) => mixAtSnr(x, babble(babbleSources, x.length), 5)],
];
const pooled = { target: [] as number[], non: [] as number[] };
const thresholds = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6];
const rate = (xs: number[], pass: (s: number) => boolean) =>
  `${((100 * xs.filter(pass).length) / Math.max(1, xs.length)).toFixed(1)}%`;
for (const [name, transform] of conditions) {
  const target: number[] = [];
  const non: number[] = [];
  const wrongTopMargins: number[] = [];
  for (let s = 0; s < speakers.length; s++) {
    const v = await embed(transform(speakers[s]!.test));
    const scores = speakers.map((p) => cosine(v, p.centroid));
    scores.forEach((score, k) => (k === s ? target : non).push(score));
    const order = scores.map((score, k) => [score, k] as const).sort((a, b) => b[0] - a[0]);
    if (order[0]![1] !== s) wrongTopMargins.push(order[0]![0] - order[1]![0]);
  }
  pooled.target.push(...target);
  pooled.non.push(...non);
  console.log(
    `\n${name}: ${target.length} targets, ${non.length} non-targets; top-1 wrong ${wrongTopMargins.length}, their margins ${wrongTopMargins
      .map((m) => m.toFixed(3))
      .join(' ')}`,
  );
  for (const t of thresholds) {
    console.log(
      `  threshold ${t}: miss ${rate(target, (x) => x < t)}  false accept ${rate(non, (x) => x >= t)}`,
    );
  }
}
console.log('\npooled over the four conditions');
for (const t of thresholds) {
  console.log(
    `  threshold ${t}: miss ${rate(pooled.target, (x) => x < t)}  false accept ${rate(pooled.non, (x) => x >= t)}`,
  );
}
pipeline.close();
