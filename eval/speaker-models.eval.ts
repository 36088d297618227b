/**
 * npm run eval:speakers:model — every speaker model the pipeline loads (the weak MFCC baseline, and
 * models/mira-speaker-v1.onnx when present, plus any manifest model in MODEL_DIR) under the conditions the product
 * meets: 3 clean enrolment utterances per speaker, tests that are clean (≥ 5 s), clean 2 s crops, white / pink /
 * babble noise at 5 dB before and after the product's denoiser, and 8 kHz telephone band. EER and closed-set top-1.
 * Speakers: LibriSpeech test-other-dev plus the two Debian asterisk voices held out of training (June, Carlo).
 * Then the product's identification policy on short crops (does it name the wrong person, or reject?).
 * Writes two blocks of BENCHMARKS.md (Speakers: speaker models, identification policy on short evidence).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { defaultPolicyFor, identifySpeaker, isNoisy, type PersonCentroid } from '@mira/recognition';
import { mixAtSnr, pinkNoise, whiteNoise, MIN_EMBED_SECONDS, noiseJudgementSnrDb, babble } from '@mira/audio';
import { librispeechDevSpeakers } from '../tooling/shared-data.js';
import {
  ASTERISK_SOUNDS,
  asteriskClips,
  babbleVoiceFiles,
  evalPipeline,
  fmt,
  installDebianPackages,
  load,
  telephoneBand,
} from './lib.js';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import { enrolPersons, productScores, scoreSpeakers, type SpeakerSet } from './speaker-eval.js';

const SR = 16000;
const pipeline = await evalPipeline();
const header = machineLine();
const babbleSources = await Promise.all(babbleVoiceFiles('evaluation').map((f) => load(pipeline, f)));

const sets: SpeakerSet[] = [];
let seed = 1000;
for (const { speaker, files } of librispeechDevSpeakers()) {
  const clips = await Promise.all(files.map((f) => load(pipeline, f)));
  sets.push({ speaker, enrol: clips.slice(0, 3), tests: clips.slice(3).filter((c) => c.length >= 5 * SR) });
}

/**
 * Debian's asterisk prompts (CC-BY-SA-3.0) by the two voices training/speaker never trains on: June (fr_CA, F) and
 * Carlo (it_IT, M), 8 kHz telephone prompts of 1–3 s. Prompts are joined (0.25 s pauses, fixed order) into 3 enrolment
 * clips of ≥ 3 s and 6 test clips of ≥ 5 s, all from different prompts. Installed from Debian when missing.
 */
const DEBIAN_HELD_OUT: Array<[string, string, string]> = [
  ['debian-june', 'fr_CA_f_June', 'asterisk-core-sounds-fr-wav'],
  ['debian-carlo', 'it_IT_m_Carlo', 'asterisk-core-sounds-it-wav'],
];
installDebianPackages(
  DEBIAN_HELD_OUT.filter(([, dir]) => !existsSync(join(ASTERISK_SOUNDS, dir))).map(([, , pkg]) => pkg),
);
const debianNote: string[] = [];
for (const [speaker, dir] of DEBIAN_HELD_OUT) {
  const joined = await asteriskClips(pipeline, dir, [3, 3, 3, 5, 5, 5, 5, 5, 5]);
  if (!joined) {
    debianNote.push(`${speaker} skipped (Debian package not installed)`);
    continue;
  }
  sets.push({ speaker, enrol: joined.slice(0, 3), tests: joined.slice(3) });
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
// [name, transform, judged as noisy speech by the product]
const conditions: Array<[string, (x: Float32Array) => Promise<Float32Array>, boolean]> = [
  ['clean, ≥ 5 s', async (x) => x, false],
  [
    'clean, 2 s crop',
    async (x) => x.slice(Math.floor(x.length / 2) - SR, Math.floor(x.length / 2) + SR),
    false,
  ],
  ['white 5 dB', noisy('white'), true],
  ['white 5 dB → denoiser', async (x) => pipeline.denoise(await noisy('white')(x)), true],
  ['pink 5 dB', noisy('pink'), true],
  ['pink 5 dB → denoiser', async (x) => pipeline.denoise(await noisy('pink')(x)), true],
  ['babble 5 dB', noisy('babble'), true],
  ['babble 5 dB → denoiser', async (x) => pipeline.denoise(await noisy('babble')(x)), true],
  ['8 kHz telephone band', async (x) => telephoneBand(pipeline, x), false],
];

const tables: string[] = [];
const enrolled = new Map<string, PersonCentroid[]>();
for (const [modelId, embedder] of pipeline.speakers) {
  const rows: string[] = [];
  const scale = pipeline.speakerScale(modelId);
  const persons = await enrolPersons(pipeline, modelId, sets, scale !== 'cosine');
  enrolled.set(modelId, persons);
  for (const [name, transform, judgedNoisy] of conditions) {
    seed = 1000; // same noise for every model
    const r = await scoreSpeakers(pipeline, modelId, sets, persons, transform, judgedNoisy);
    const { product, cosine } = r;
    const pair = (x: typeof product) => `${fmt(100 * x.eer, 1)} % | ${fmt(100 * x.top1, 1)} %`;
    rows.push(`| ${name} | ${r.scale} | ${pair(product)} | ${pair(cosine)} | ${product.trials} |`);
    console.log(modelId, name, product.eer.toFixed(3), product.top1.toFixed(3), cosine.eer.toFixed(3));
  }
  tables.push(`#### ${modelId}${embedder.weak ? ' (WEAK baseline)' : ''}, dimension ${embedder.dimension}${embedder.normaliser ? `, cohort of ${embedder.normaliser.cohortSize} voices (${scale})` : ''}

| test condition | product compares | EER | top-1 (${sets.length} speakers) | cosine vs clean voiceprint: EER | top-1 | trials |
|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

/**
 * The identification policy (libs/recognition speaker-policy, built-in defaults of the default model) on centred crops
 * of the clean and denoised-noisy tests: named right, named WRONG, or answered unknown. Short evidence must be
 * rejected, never misnamed.
 */
const policyRows: string[] = [];
const defaultModel = pipeline.speaker!;
const modelScale = pipeline.speakerScale(defaultModel.modelId);
const normalisedPolicy = defaultPolicyFor(defaultModel.modelId, modelScale);
const persons = enrolled.get(defaultModel.modelId)!;
// `noise`: what the microphone heard (its SNR is measured as the product measures a chunk, before denoising)
for (const [label, noise] of [
  ['clean', (x: Float32Array) => x],
  ['pink 5 dB → denoiser', (x: Float32Array) => mixAtSnr(x, pinkNoise(x.length, seed++), 5)],
  ['babble 5 dB → denoiser', (x: Float32Array) => mixAtSnr(x, babble(babbleSources, x.length), 5)],
] as const) {
  for (const seconds of [0.8, 1.5, 2, 5]) {
    seed = 2000;
    let right = 0;
    let wrong = 0;
    let unknown = 0;
    let judgedNoisy = 0;
    for (const set of sets) {
      for (const test of set.tests) {
        const n = Math.min(test.length, Math.round(seconds * SR));
        const start = Math.floor((test.length - n) / 2);
        const heard = noise(test.slice(start, start + n));
        const snrDb = noiseJudgementSnrDb((await pipeline.assessQuality(heard)).snr_db, heard);
        if (isNoisy(snrDb, normalisedPolicy)) judgedNoisy++;
        // the product's path (UtteranceProcessor): denoise → VAD speech → embed; the policy counts VAD speech
        const { speech, speechSeconds } = await pipeline.extractSpeech(heard);
        let decision: { kind: string; personId?: string } = { kind: 'unknown' };
        if (speechSeconds >= MIN_EMBED_SECONDS) {
          const embedding = (await pipeline.embed(speech, defaultModel.modelId)).vector;
          const judged = productScores(pipeline, defaultModel.modelId, embedding, persons, snrDb);
          decision = identifySpeaker(
            { embedding, speechSeconds, snrDb },
            persons,
            judged.policy,
            judged.scored,
          );
        }
        if (decision.kind !== 'match') unknown++;
        else if (decision.personId === set.speaker) right++;
        else wrong++;
      }
    }
    const total = right + wrong + unknown;
    const pct = (v: number) => `${fmt((100 * v) / total, 1)} %`;
    policyRows.push(
      `| ${label} | ${seconds} s | ${pct(right)} | **${pct(wrong)}** | ${pct(unknown)} | ${judgedNoisy} | ${total} |`,
    );
    console.log('policy', label, seconds, right, wrong, unknown);
  }
}

writeBenchmark({
  area: 'Speakers',
  measure: 'Speaker models (npm run eval:speakers:model)',
  body: `Command: \`npm run eval:speakers:model\` (eval/speaker-models.eval.ts). Machine: ${header}.
Data: LibriSpeech test-other-dev (CC BY 4.0), 5 speakers × 10 utterances: the first 3 utterances of each speaker (clean)
are the enrolment (centroid of L2-normalised embeddings); the remaining utterances of ≥ 5 s are the tests, transformed
per condition. Plus the Debian asterisk voices held out of training/speaker (CC-BY-SA-3.0; June fr_CA, Carlo it_IT):
8 kHz prompts joined into 3 enrolment clips of ≥ 3 s and 6 test clips of ≥ 5 s each${debianNote.length ? ` (${debianNote.join('; ')})` : ''}. Babble = 4 other speakers (train-clean-100). "→ denoiser" = the product's denoiser
(${pipeline.engines().denoise!.engine}) applied before embedding. Telephone band = 16 → 8 → 16 kHz plus a 300 Hz
high-pass. "Product compares": the scores the product decides on: the model's scale (as-norm against its cohort
when it ships one) against the clean voiceprint, or, for speech the product treats as noisy (the noise rows), against
the voiceprint heard in noise (each enrolment clip with white and pink noise at 5 dB and the shipped babble of six
other training voices at 10 dB → denoiser; the noise instances differ from the tests', but white and pink are the
same kinds at the same level, so those rows flatter real rooms).
The last columns are plain cosine against the clean voiceprint (no cohort, no voiceprint heard in noise). EER over all (test, enrolled
speaker) scores; top-1 = closed set of ${sets.length}. With ${sets.length} speakers and
${sets.reduce((a, s) => a + s.tests.length, 0)} test utterances these figures are coarse (one error moves top-1 by several
points), and a speaker's dev utterances come from one recording session, so the clean rows are optimistic: noise is
where the baseline breaks.

${tables.join('\n\n')}`,
});

writeBenchmark({
  area: 'Speakers',
  measure: 'Identification policy on short evidence (npm run eval:speakers:model)',
  body: `Model: ${defaultModel.modelId} with its built-in policy; the same run as the speaker models above (${header}).

Each test clip cropped to the given length around its middle, its SNR measured as the product measures a stream
chunk (\`noiseJudgementSnrDb\`: the lower of the quality stage's VAD-floor SNR and the blind amplitude-distribution
SNR), then taken the product's path (denoise → VAD speech → embed; the length rules count VAD speech, not the crop)
and judged as the product judges it (\`planIdentification\`,
\`identifySpeaker\`) on the ${modelScale} scale: clean speech (SNR ≥ ${normalisedPolicy.noisySnrDb} dB) against the
clean voiceprints (threshold ${normalisedPolicy.matchThreshold}), noisy speech against the better of each person's
clean voiceprint (whose scores must still clear ${normalisedPolicy.matchThreshold}) and voiceprint heard in noise (threshold
${normalisedPolicy.noisyMatchThreshold}); margin ${normalisedPolicy.matchMargin}, the nearest person by cosine
must agree, minimum speech ${normalisedPolicy.minMatchSpeechSeconds} s; ${sets.length} enrolled persons. "Wrong" is
the error that matters: naming somebody else. "In noise" counts the clips the SNR stage called noisy.

| audio | length | named right | named wrong | unknown | in noise | clips |
|---|---|---|---|---|---|---|
${policyRows.join('\n')}

Load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}.`,
});
pipeline.close();
