/**
 * npm run eval:speakers:model — every speaker model the pipeline loads (the weak MFCC baseline, and
 * models/mira-speaker-v1.onnx when present, plus any manifest model in MODEL_DIR) under the conditions the product
 * meets: 3 clean enrolment utterances per speaker, tests that are clean (≥ 5 s), clean 2 s crops, white / pink /
 * babble noise at 5 dB before and after the product's denoiser, and 8 kHz telephone band. EER and closed-set top-1.
 * Speakers: LibriSpeech test-other-dev plus the two Debian asterisk voices held out of training (June, Carlo).
 * Then the product's identification policy on short crops (does it name the wrong person, or reject?).
 * Writes three blocks of BENCHMARKS.md (Speakers: speaker models, identification policy on short evidence, short
 * turns).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  defaultPolicyFor,
  isNoisy,
  type PersonCentroid,
  type SpeakerPolicy,
  type TurnContext,
} from '@mira/recognition';
import { mixAtSnr, pinkNoise, whiteNoise, MIN_EMBED_SECONDS, noiseJudgementSnrDb, babble } from '@mira/audio';
import { librispeechDevSpeakers } from '../tooling/shared-data.js';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
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
import { enrolPersons, judge, scoreSpeakers, type SpeakerSet } from './speaker-eval.js';

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
/** Strings of `count` random digit prompts of a Debian voice (seeded), 0.15 s apart, each ≥ 2 s. */
async function digitStrings(dir: string, count: number): Promise<Float32Array[]> {
  const root = join(ASTERISK_SOUNDS, dir, 'digits');
  const digits = await Promise.all(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(async (d) => load(pipeline, join(root, `${d}.wav`))),
  );
  let s = 4242;
  const out: Float32Array[] = [];
  for (let c = 0; c < count; c++) {
    const parts: Float32Array[] = [];
    let length = 0;
    while (length < 2 * SR) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const d = digits[s % 10]!;
      parts.push(d, new Float32Array(Math.round(0.15 * SR)));
      length += d.length + Math.round(0.15 * SR);
    }
    const clip = new Float32Array(length);
    let at = 0;
    for (const p of parts) {
      clip.set(p, at);
      at += p.length;
    }
    out.push(clip);
  }
  return out;
}

/** The policy in words, for the report. */
function policyText(p: SpeakerPolicy): string {
  const c = p.calibrated;
  if (!c) {
    return `clean speech (SNR ≥ ${p.noisySnrDb} dB) against the clean voiceprints (threshold ${p.matchThreshold}), noisy speech against the better of each person's clean voiceprint (whose scores must still clear ${p.matchThreshold}) and voiceprint heard in noise (threshold ${p.noisyMatchThreshold}); margin ${p.matchMargin}, the nearest person by cosine must agree, minimum speech ${p.minMatchSpeechSeconds} s`;
  }
  return `scores calibrated to log-likelihood ratios by speech length and noise (SNR < ${p.noisySnrDb} dB: against the better of the clean voiceprint and the one heard in noise); a person is named when their posterior reaches ${c.namePosterior} (${c.noisyNamePosterior} for noisy speech, ${c.shortNoisyNamePosterior} for noisy speech of at most ${c.shortSpeechSeconds} s; prior of "nobody enrolled" ${c.unknownPrior}, the rest shared by the persons) and the nearest voiceprint by cosine agrees; minimum speech ${p.minMatchSpeechSeconds} s; context: a segment of ${c.continuationMinSpeechSeconds}-${c.continuationMaxSpeechSeconds} s within ${c.continuationMaxGapSeconds} s of the same device's named turn starts from that person with prior ${c.continuationPrior} when the segment's own log-likelihood ratio for that person reaches ${c.continuationMinLlr} and nobody else's is higher (under the minimum speech, it can only be named as that person)`;
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
  const persons = await enrolPersons(pipeline, modelId, sets);
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
 * The product's decisions (judgeSpeaker with the default model's built-in policy) on centred crops of the tests,
 * heard clean or with noise, taken the product's path: SNR judged on what the microphone heard, then denoise → VAD
 * speech → embed; the length rules count VAD speech. Named right, named WRONG, unknown, or kept to be gathered into a
 * new person (never a person from one clip). Short evidence must be rejected, never misnamed.
 */
const policyRows: string[] = [];
const defaultModel = pipeline.speaker!;
const modelScale = pipeline.speakerScale(defaultModel.modelId);
const normalisedPolicy = defaultPolicyFor(defaultModel.modelId, modelScale);
const persons = enrolled.get(defaultModel.modelId)!;
interface Heard {
  snrDb: number;
  speechSeconds: number;
  embedding: Float32Array | null;
}
/** The product's path for one clip as the microphone heard it. */
const hear = async (heard: Float32Array): Promise<Heard> => {
  const snrDb = noiseJudgementSnrDb((await pipeline.assessQuality(heard)).snr_db, heard);
  const { speech, speechSeconds } = await pipeline.extractSpeech(heard);
  const embedding =
    speechSeconds >= MIN_EMBED_SECONDS ? (await pipeline.embed(speech, defaultModel.modelId)).vector : null;
  return { snrDb, speechSeconds, embedding };
};
const decideOn = (h: Heard, context: TurnContext | null = null) =>
  h.embedding
    ? judge(pipeline, defaultModel.modelId, h.embedding, persons, {
        speechSeconds: h.speechSeconds,
        snrDb: h.snrDb,
        context,
      })
    : null;
const crop = (x: Float32Array, seconds: number, at = 0.5) => {
  const n = Math.min(x.length, Math.round(seconds * SR));
  const start = Math.floor((x.length - n) * at);
  return x.slice(start, start + n);
};
type Outcome = {
  right: number;
  wrong: number;
  unknown: number;
  gathered: number;
  noisy: number;
  total: number;
};
const outcome = (): Outcome => ({ right: 0, wrong: 0, unknown: 0, gathered: 0, noisy: 0, total: 0 });
const tallyOn = (o: Outcome, h: Heard, j: ReturnType<typeof decideOn>, truth: string | null) => {
  o.total++;
  if (isNoisy(h.snrDb, normalisedPolicy)) o.noisy++;
  if (!j || j.decision.kind !== 'match') {
    o.unknown++;
    if (j?.gatherable) o.gathered++;
  } else if (j.decision.personId === truth) o.right++;
  else o.wrong++;
};
const row = (label: string, length: string, o: Outcome) => {
  const pct = (v: number) => `${fmt((100 * v) / o.total, 1)} %`;
  policyRows.push(
    `| ${label} | ${length} | ${pct(o.right)} | **${pct(o.wrong)}** | ${pct(o.unknown)} | ${o.gathered} | ${o.noisy} | ${o.total} |`,
  );
  console.log('policy', label, length, o.right, o.wrong, o.unknown, o.gathered);
};
// `noise`: what the microphone heard (its SNR is measured as the product measures a chunk, before denoising)
for (const [label, noise] of [
  ['clean', (x: Float32Array) => x],
  ['pink 5 dB → denoiser', (x: Float32Array) => mixAtSnr(x, pinkNoise(x.length, seed++), 5)],
  ['babble 5 dB → denoiser', (x: Float32Array) => mixAtSnr(x, babble(babbleSources, x.length), 5)],
] as const) {
  for (const seconds of [0.8, 1.5, 2, 5]) {
    seed = 2000;
    const o = outcome();
    for (const set of sets) {
      for (const test of set.tests) {
        const h = await hear(noise(crop(test, seconds)));
        tallyOn(o, h, decideOn(h), set.speaker);
      }
    }
    row(label, `${seconds} s`, o);
  }
}
/**
 * Short words over a telephone line (8 kHz): the Debian voices say strings of digits (their `digits/` prompts, never
 * in their enrolment clips or tests above, joined with 0.15 s pauses to ≥ 2 s), the LibriSpeech speakers' 2 s crops go
 * through a telephone band. Enrolment stays as above (LibriSpeech wideband, the Debian voices' own 8 kHz prompts).
 */
const shortWords = outcome();
for (const set of sets) {
  const voice = DEBIAN_HELD_OUT.find(([speaker]) => speaker === set.speaker);
  const clips = voice
    ? await digitStrings(voice[1], 6)
    : await Promise.all(set.tests.map((t) => telephoneBand(pipeline, crop(t, 2))));
  for (const clip of clips) {
    const h = await hear(clip);
    tallyOn(shortWords, h, decideOn(h), set.speaker);
  }
}
row('8 kHz short words (telephone band; Debian voices: digit strings)', '2 s', shortWords);

/**
 * The short turn: a known speaker's 5 s utterance, then within a second 1 s and 2 s segments (from another of their
 * utterances) on the same device, decided with the turn as context, as the pipeline does. And the same segments after
 * somebody else's turn (a change of speaker), where context must not name the previous speaker.
 */
const turnRows: string[] = [];
const continues = outcome();
const alone = outcome();
const afterOther = outcome();
for (const [s, set] of sets.entries()) {
  for (const [k, test] of set.tests.entries()) {
    const turn = await hear(crop(test, 5, 0));
    const turnJudgement = decideOn(turn);
    const next = set.tests[(k + 1) % set.tests.length]!;
    const other = sets[(s + 1) % sets.length]!;
    const otherTurn = decideOn(await hear(crop(other.tests[k % other.tests.length]!, 5, 0)));
    for (const seconds of [1, 2]) {
      const h = await hear(crop(next, seconds, 0.3));
      const context =
        turnJudgement?.decision.kind === 'match'
          ? { personId: turnJudgement.decision.personId, gapSeconds: 1 }
          : null;
      tallyOn(continues, h, decideOn(h, context), set.speaker);
      tallyOn(alone, h, decideOn(h), set.speaker);
      const change =
        otherTurn?.decision.kind === 'match'
          ? { personId: otherTurn.decision.personId, gapSeconds: 1 }
          : null;
      tallyOn(afterOther, h, decideOn(h, change), set.speaker);
    }
  }
}
const turnRow = (label: string, o: Outcome) =>
  turnRows.push(
    `| ${label} | ${fmt((100 * o.right) / o.total, 1)} % | **${fmt((100 * o.wrong) / o.total, 1)} %** | ${fmt((100 * o.unknown) / o.total, 1)} % | ${o.total} |`,
  );
turnRow("1–2 s segment after the same speaker's 5 s turn (context)", continues);
turnRow('the same segments without context', alone);
turnRow("the same segments after another person's 5 s turn (context of the wrong person)", afterOther);

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
and judged as the product judges it (\`judgeSpeaker\`, the function the pipeline calls) on the ${modelScale} scale,
${policyText(normalisedPolicy)}; ${sets.length} enrolled persons. "Wrong" is the error that matters: naming somebody
else. "Gathered" counts clips kept as unattributed speech of a new voice (a new person needs several such clips of
one voice, never one). "In noise" counts the clips the SNR stage called noisy.

| audio | length | named right | named wrong | unknown | gathered | in noise | clips |
|---|---|---|---|---|---|---|---|
${policyRows.join('\n')}`,
});

writeBenchmark({
  area: 'Speakers',
  measure: 'Short turns (npm run eval:speakers:model)',
  body: `Model: ${defaultModel.modelId} with its built-in policy; the same run as the speaker models above.
Each test utterance's first 5 s is a turn; then 1 s and 2 s segments of another utterance of the same speaker follow on
the same device a second later, decided with the turn's answer as context (as the pipeline does). The same segments
are also decided without context, and after another enrolled speaker's 5 s turn (context naming the wrong person).

| segments | named right | named wrong | unknown | segments |
|---|---|---|---|---|
${turnRows.join('\n')}

Load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}.`,
});
pipeline.close();
