/**
 * npm run eval:speakers:calibrate — where the default speaker model's scores fall, on the product's scale
 * (cohort-normalised when the model ships a cohort, else cosine), to set its built-in policy defaults
 * (libs/recognition/src/speaker-policy.ts). Uses the 30 train-clean-100 speakers held out of the model's training
 * (its dev split), never the evaluation speakers; every second one is narrowband (all its audio through a telephone
 * band). Each utterance's first half, in three parts, is the enrolment (centroid); its second half, in two parts, is
 * two tests: clean, telephone band, or mixed with white / pink / babble noise at 5 dB. Every clip takes the
 * product's path: denoise → VAD speech → embed; the noisy tests are compared, as the product compares noisy speech,
 * with the better of the clean voiceprint and the voiceprint heard in noise (`embedInNoise` of each enrolment part). Prints EER and top-1 (product's
 * comparison, cosine against the clean voiceprint, cosine against the noisy one), score quantiles, miss
 * and false-accept rates per threshold, per condition and pooled, and the margins of wrong top-1 answers. Then the
 * product's decisions (right / wrong / unknown) with the SNR measured by three estimates, which chose
 * `noiseJudgementSnrDb`. COHORT_FILE=path tries another cohort file, COHORT_FILE=none calibrates the model's
 * plain-cosine fallback (its cohort missing), COHORT_TOP_K=n another cohort size; see `evalPipeline`. SPEAKER_MODEL
 * names another model than the default.
 */
import { mixAtSnr, pinkNoise, whiteNoise, blindSnrDb, noiseJudgementSnrDb, babble } from '@mira/audio';
import { centroidOf } from '@mira/core';
import { identifySpeaker, type PersonCentroid } from '@mira/recognition';
import { productScores } from './speaker-eval.js';
import { librispeechTrainFiles } from '../tooling/shared-data.js';
import {
  babbleVoiceFiles,
  DEV_SPLIT_SPEAKERS,
  equalErrorRate,
  evalPipeline,
  load,
  speakerOfFile,
  telephoneBand,
} from './lib.js';

const SR = 16000;
const pipeline = await evalPipeline(
  process.env.SPEAKER_MODEL ? { SPEAKER_MODEL: process.env.SPEAKER_MODEL } : {},
);
const model = pipeline.speaker!;
const scale = pipeline.speakerScale(model.modelId);
console.log('speaker model', model.modelId, 'scale', scale);

/** The product's path; null when the VAD finds too little speech to embed (the product answers unknown). */
const embedOrNull = async (x: Float32Array) => {
  const { speech } = await pipeline.extractSpeech(x);
  return speech.length < SR / 2 ? null : (await pipeline.embed(speech, model.modelId)).vector;
};
const embed = async (x: Float32Array) => {
  const v = await embedOrNull(x);
  if (!v) throw new Error('an enrolment part has too little speech');
  return v;
};

const dev = librispeechTrainFiles().filter((f) => DEV_SPLIT_SPEAKERS.includes(speakerOfFile(f)));
const babbleSources = await Promise.all(babbleVoiceFiles('calibration').map((f) => load(pipeline, f)));
// Every second dev speaker is narrowband (enrolment and tests through a telephone band), as if enrolled and heard
// through a phone: the evaluation's Debian voices are 8 kHz, and a channel shared by two voices is what the score
// normalisation must not mistake for a voice.
const speakers: Array<{
  centroid: Float32Array;
  noisyCentroid: Float32Array;
  tests: Float32Array[];
  narrowband: boolean;
}> = [];
for (const f of dev) {
  const wide = await load(pipeline, f);
  if (wide.length < 8 * SR) continue; // too short to give both enrolment and a test
  const narrowband = speakers.length % 2 === 1;
  const x = narrowband ? await telephoneBand(pipeline, wide) : wide;
  const half = x.length >> 1;
  const third = Math.floor(half / 3);
  const parts = [0, 1, 2].map((k) => x.subarray(k * third, (k + 1) * third));
  const quarter = x.length >> 2;
  const inNoise = [];
  for (const part of parts) {
    const v = await pipeline.embedInNoise(part, model.modelId);
    if (v) inNoise.push(v.vector);
  }
  speakers.push({
    centroid: centroidOf(await Promise.all(parts.map(embed))),
    noisyCentroid: centroidOf(inNoise),
    tests: [x.slice(half, half + quarter), x.slice(half + quarter)],
    narrowband,
  });
}
const persons: PersonCentroid[] = speakers.map((s, i) => ({
  personId: String(i),
  centroid: s.centroid,
  noisyCentroid: s.noisyCentroid,
  samples: 3,
}));
console.log(`${speakers.length} dev speakers (${speakers.filter((s) => s.narrowband).length} narrowband)`);

let seed = 7000;
// `noisy`: judged as the product judges noisy speech (with a cohort: the better of the clean voiceprint and the one
// heard in noise)
const conditions: Array<[string, boolean, (x: Float32Array) => Float32Array | Promise<Float32Array>]> = [
  ['clean', false, (x) => x],
  ['telephone band', false, (x) => telephoneBand(pipeline, x)],
  ['white 5 dB', true, (x) => mixAtSnr(x, whiteNoise(x.length, seed++), 5)],
  ['pink 5 dB', true, (x) => mixAtSnr(x, pinkNoise(x.length, seed++), 5)],
  ['babble 5 dB', true, (x) => mixAtSnr(x, babble(babbleSources, x.length), 5)],
];
const thresholdsOf = (s: string) =>
  s === 'cosine'
    ? [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]
    : [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const rate = (xs: number[], pass: (s: number) => boolean) =>
  `${((100 * xs.filter(pass).length) / Math.max(1, xs.length)).toFixed(1)}%`;
const pooled = new Map<string, { target: number[]; non: number[] }>();
type Tally = { target: number[]; non: number[]; right: number; wrongMargins: number[] };
const tally = (): Tally => ({ target: [], non: [], right: 0, wrongMargins: [] });
const count = (t: Tally, scores: number[], s: number) => {
  scores.forEach((score, k) => (k === s ? t.target : t.non).push(score));
  const order = scores.map((score, k) => [score, k] as const).sort((a, b) => b[0] - a[0]);
  if (order[0]![1] === s) t.right++;
  else t.wrongMargins.push(order[0]![0] - order[1]![0]);
};
for (const [name, noisy, transform] of conditions) {
  const product = tally(); // what the product compares (planIdentification)
  const plain = tally(); // cosine against the clean voiceprint (no cohort, no voiceprint heard in noise)
  const cosineNoisy = tally(); // cosine against the voiceprint heard in noise (an alternative, for comparison)
  const onlyNoisy = tally(); // the model's scale against the voiceprint heard in noise only (an alternative)
  const inNoise = noisy && scale !== 'cosine';
  let trials = 0;
  let noSpeech = 0;
  for (let s = 0; s < speakers.length; s++) {
    for (const test of speakers[s]!.tests) {
      const v = await embedOrNull(await transform(test));
      if (!v) {
        noSpeech++;
        continue;
      }
      const clean = pipeline.scoreVoices(
        model.modelId,
        v,
        speakers.map((p) => p.centroid),
      );
      count(plain, clean.cosines, s);
      if (inNoise) {
        const againstNoisy = pipeline.scoreVoices(
          model.modelId,
          v,
          speakers.map((p) => p.noisyCentroid),
        );
        count(product, productScores(pipeline, model.modelId, v, persons, -Infinity).scored.scores, s);
        count(onlyNoisy, againstNoisy.scores, s);
        count(cosineNoisy, againstNoisy.cosines, s);
      } else count(product, clean.scores, s);
      trials++;
    }
  }
  const productScale = `${scale} vs ${inNoise ? 'best of clean and noisy' : 'clean'} voiceprint`;
  const pct = (t: Tally) =>
    `EER ${(100 * equalErrorRate(t.target, t.non)).toFixed(1)}% top-1 ${((100 * t.right) / trials).toFixed(1)}%`;
  console.log(
    `\n${name} — ${productScale}: ${pct(product)} (cosine vs clean voiceprint: ${pct(plain)}` +
      `${inNoise ? `; cosine vs noisy voiceprint: ${pct(cosineNoisy)}; ${scale} vs noisy only: ${pct(onlyNoisy)}` : ''})` +
      `${noSpeech ? `; ${noSpeech} tests had too little speech to embed` : ''}`,
  );
  console.log(
    `  targets p10 ${quantile(product.target, 0.1).toFixed(2)} median ${quantile(product.target, 0.5).toFixed(2)}; non-targets median ${quantile(product.non, 0.5).toFixed(2)} p99 ${quantile(product.non, 0.99).toFixed(2)} max ${Math.max(...product.non).toFixed(2)}`,
  );
  console.log(
    `  ${product.target.length} targets, ${product.non.length} non-targets; top-1 wrong ${product.wrongMargins.length}, their margins ${product.wrongMargins
      .map((m) => m.toFixed(3))
      .join(' ')}`,
  );
  const pool = pooled.get(productScale) ?? { target: [], non: [] };
  pool.target.push(...product.target);
  pool.non.push(...product.non);
  pooled.set(productScale, pool);
  for (const t of thresholdsOf(scale)) {
    console.log(
      `  threshold ${t}: miss ${rate(product.target, (x) => x < t)}  false accept ${rate(product.non, (x) => x >= t)}`,
    );
  }
}

/**
 * Decisions as the product makes them, with the SNR measured rather than told: which SNR estimate should decide
 * whether an utterance is judged as noisy speech? The quality stage's VAD-floor SNR, the blind amplitude-distribution
 * SNR (`blindSnrDb`), or the lower of the two. Each test is heard as the microphone heard it (the noise conditions
 * above plus moderate ones), its SNR measured on that, then denoise → VAD speech → embed → `identifySpeaker`.
 */
const estimators: Array<[string, (heard: Float32Array) => Promise<number | null>]> = [
  ['VAD floor', async (heard) => (await pipeline.assessQuality(heard)).snr_db],
  ['blind', async (heard) => blindSnrDb(heard)],
  [
    'lower of both (the product)',
    async (heard) => noiseJudgementSnrDb((await pipeline.assessQuality(heard)).snr_db, heard),
  ],
];
seed = 9000;
const decisionConditions: Array<[string, (x: Float32Array) => Float32Array | Promise<Float32Array>]> = [
  ...conditions.map(([name, , transform]) => [name, transform] as [string, typeof transform]),
  ['pink 15 dB', (x) => mixAtSnr(x, pinkNoise(x.length, seed++), 15)],
  ['babble 10 dB', (x) => mixAtSnr(x, babble(babbleSources, x.length), 10)],
  ['babble 15 dB', (x) => mixAtSnr(x, babble(babbleSources, x.length), 15)],
];
console.log('\ndecisions with the SNR measured (right / WRONG / unknown; judged noisy)');
for (const [name, transform] of decisionConditions) {
  const line: string[] = [];
  const results = estimators.map(() => ({ right: 0, wrong: 0, unknown: 0, noisy: 0 }));
  for (let s = 0; s < speakers.length; s++) {
    for (const test of speakers[s]!.tests) {
      const heard = await transform(test);
      const { speech, speechSeconds } = await pipeline.extractSpeech(heard);
      const v = speech.length < SR / 2 ? null : (await pipeline.embed(speech, model.modelId)).vector;
      for (const [e, [, estimate]] of estimators.entries()) {
        const r = results[e]!;
        const snrDb = await estimate(heard);
        if (!v) {
          r.unknown++;
          continue;
        }
        const judged = productScores(pipeline, model.modelId, v, persons, snrDb);
        if (judged.noisyReferences) r.noisy++;
        const decision = identifySpeaker(
          { embedding: v, speechSeconds, snrDb },
          persons,
          judged.policy,
          judged.scored,
        );
        if (decision.kind !== 'match') r.unknown++;
        else if (decision.personId === String(s)) r.right++;
        else r.wrong++;
      }
    }
  }
  for (const [e, [label]] of estimators.entries()) {
    const r = results[e]!;
    line.push(`${label}: ${r.right} / ${r.wrong} / ${r.unknown}; ${r.noisy}`);
  }
  console.log(`  ${name.padEnd(15)} ${line.join('   ')}`);
}

for (const [productScale, pool] of pooled) {
  console.log(`\npooled, ${productScale}`);
  for (const t of thresholdsOf(scale)) {
    console.log(
      `  threshold ${t}: miss ${rate(pool.target, (x) => x < t)}  false accept ${rate(pool.non, (x) => x >= t)}`,
    );
  }
}
pipeline.close();
