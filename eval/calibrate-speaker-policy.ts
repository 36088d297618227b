/**
 * npm run eval:speakers:calibrate — calibrates the default speaker model's decisions on its dev split (never on the
 * evaluation speakers) and shows the figures that choose each setting of its built-in policy
 * (libs/recognition/src/speaker-policy-defaults.ts):
 * 1. the product's scores (as-norm, clean or noisy references as planIdentification picks them) of every dev test
 *    against every dev person: EER and top-1 per condition;
 * 2. the score calibration: a logistic fit of "same speaker" on score and speech duration, for speech the SNR rule
 *    judges clean and for speech it judges noisy (speaker-calibration.ts);
 * 3. the decisions (judgeSpeaker) for a grid of priors of nobody enrolled (UNKNOWN_PRIORS), name posteriors
 *    (NAME_POSTERIORS) and name posteriors for noisy speech (NOISY_NAME_POSTERIORS): right / WRONG / unknown per
 *    condition and length, with every dev person enrolled and with fewer (5, 10, 30), and for strangers (the
 *    speaker not enrolled);
 * 4. gathering unknown voices: how often two utterances of one / of two speakers link, and strangers saying their
 *    utterances one by one (how many new persons each becomes, and how often it is named afterwards), and how a
 *    gathered person's voiceprint grows with the utterances named as them (GROW_POSTERIORS, GROW_SECONDS, GROW_CAPS);
 * 5. context: a short segment after the same device named someone, by that person (continuation), by somebody
 *    else enrolled (a change of speaker) or by a stranger, for a grid of continuation priors, floors of the segment's
 *    own evidence and name posteriors for short noisy speech.
 * Writes .tmp/speaker-calibration-<model>.json (the fitted calibration) and the section
 * `## Speaker policy calibration (dev split)` of BENCHMARKS.md. The dev audio (SNR, denoiser, VAD) is cached
 * (.tmp/speaker-dev-audio-*, see speaker-dev-trials.ts): another model, or a rerun, only embeds and replays.
 * DEV_SPEAKERS_PER_CORPUS=n: a quick look on n speakers of each dev corpus (not for choosing settings).
 * SPEAKER_MODEL names another model than the default (e.g. the previous one, whose calibration lets its voiceprints
 * keep working until re-enrolment); COHORT_FILE / COHORT_TOP_K as in evalPipeline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CalibratedRules,
  type ScoreCalibration,
  type SpeakerPolicy,
  defaultPolicyFor,
  isNoisy,
} from '@mira/recognition';
import { equalErrorRate, evalPipeline, fmt } from './lib.js';
import { BENCHMARK_MEASURES, machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import { calibrationLoss, fitLlr, type CalibrationTrial } from './llr-fit.js';
import { DEV_CONDITIONS, devMaterial, devStrangerVoices } from './speaker-dev-trials.js';
import {
  count,
  decide,
  durationBucket,
  outcomeCause,
  pct,
  pct2,
  productScoresOf,
  scoreMaterial,
  simulateOwnSpeech,
  simulateStrangers,
  subset,
  tally,
  type Tally,
} from './speaker-policy-sim.js';

const pipeline = await evalPipeline(
  process.env.SPEAKER_MODEL ? { SPEAKER_MODEL: process.env.SPEAKER_MODEL } : {},
);
const modelId = pipeline.speaker!.modelId;
const header = machineLine();
const material = scoreMaterial(
  pipeline,
  await devMaterial(
    pipeline,
    modelId,
    process.env.DEV_SPEAKERS_PER_CORPUS ? Number(process.env.DEV_SPEAKERS_PER_CORPUS) : Infinity,
  ),
);
const { persons, trials, scale } = material;
const base = defaultPolicyFor(modelId, scale);
const out: string[] = [];
const say = (line = '') => {
  console.log(line);
  out.push(line);
};
const usable = trials.map((t, i) => i).filter((i) => trials[i]!.embedding);
say(
  `Model \`${modelId}\`, scale ${scale}. ${persons.length} dev persons (${material.corpusOf.filter((c) => c === 'librispeech').length} LibriSpeech, ${material.corpusOf.filter((c) => c === 'speechocean').length} speechocean762), ${trials.length} test clips (${trials.length - usable.length} with too little speech to embed).`,
);

// 1. scores
say('\n##### 1. Scores (every dev person enrolled)\n');
// a name must be nearly never wrong, so the model is used far from its EER: what a score line that lets 1 in 1,000 or
// 1 in 10,000 other-speaker pairs through misses of the right person
say(
  '| condition | clips | judged noisy | EER | top-1 | misses at 0.1 % / 0.01 % of other-speaker pairs passing |',
);
say('|---|---|---|---|---|---|');
const calibrationTrials = { clean: [] as CalibrationTrial[], noisy: [] as CalibrationTrial[] };
for (const condition of DEV_CONDITIONS) {
  const ids = usable.filter((i) => trials[i]!.condition === condition);
  const targets: number[] = [];
  const non: number[] = [];
  let right = 0;
  let noisyCount = 0;
  for (const i of ids) {
    const t = trials[i]!;
    const noisy = isNoisy(t.snrDb, base);
    if (noisy) noisyCount++;
    const { scores } = productScoresOf(material, i, base);
    scores.forEach((s, k) => {
      (k === t.speaker ? targets : non).push(s);
      (noisy ? calibrationTrials.noisy : calibrationTrials.clean).push({
        score: s,
        seconds: t.speechSeconds,
        target: k === t.speaker,
      });
    });
    if (scores.indexOf(Math.max(...scores)) === t.speaker) right++;
  }
  non.sort((a, b) => b - a);
  const missAt = (passing: number) => {
    const line = non[Math.floor(passing * non.length)]!;
    return pct(targets.filter((s) => s < line).length, targets.length);
  };
  say(
    `| ${condition} | ${ids.length} | ${noisyCount} | ${fmt(100 * equalErrorRate(targets, non), 1)} % | ${pct(right, ids.length)} | ${missAt(0.001)} / ${missAt(0.0001)} |`,
  );
}

// 2. calibration
const range = { minSeconds: 1, maxSeconds: 8 };
const calibration: ScoreCalibration = {
  scale,
  clean: fitLlr(calibrationTrials.clean, range),
  noisy: fitLlr(calibrationTrials.noisy, range),
  ...range,
};
say(
  '\n##### 2. Score calibration (llr = a + b·s + c·s·ℓ + d·ℓ, ℓ = ln(speech s / 2), speech clamped to 1–8 s)\n',
);
for (const kind of ['clean', 'noisy'] as const) {
  const k = calibration[kind];
  say(
    `- ${kind} (${calibrationTrials[kind].length} trials): a ${fmt(k.a)}, b ${fmt(k.b)}, c ${fmt(k.c)}, d ${fmt(k.d)}; cross-entropy ${fmt(calibrationLoss(calibration, calibrationTrials[kind], kind === 'noisy'))} bits (0 perfect, 1 uninformative)`,
  );
}

// 3. decisions
const rules = (overrides: Partial<CalibratedRules> = {}): SpeakerPolicy => ({
  ...base,
  calibrated: {
    unknownPrior: 0.5,
    namePosterior: 0.99,
    noisyNamePosterior: 0.99,
    refinePosterior: 0.9999,
    refineMinSpeechSeconds: 2,
    continuationPrior: 0.8,
    continuationMaxGapSeconds: 5,
    continuationMaxSpeechSeconds: 2.5,
    continuationMinSpeechSeconds: 0.5,
    continuationMinLlr: 5,
    shortSpeechSeconds: 2.5,
    shortNoisyNamePosterior: 0.999,
    gatherMinSpeechSeconds: 1.5,
    gatherMinSnrDb: 20,
    gatherMaxScore: 3,
    ...base.calibrated,
    ...overrides,
    ...{ calibration },
  },
});
const grid = (process.env.NAME_POSTERIORS ?? '0.98,0.99,0.995').split(',').map(Number);
const noisyGrid = (process.env.NOISY_NAME_POSTERIORS ?? '0.99,0.995,0.999').split(',').map(Number);
// the prior of "nobody enrolled" is chosen with the name posteriors: together they set how much evidence a name needs
const priors = (process.env.UNKNOWN_PRIORS ?? '0.5,0.3,0.2').split(',').map(Number);
// the model's threshold rules without the calibration: the decisions before it, for comparison
const thresholdRules: SpeakerPolicy = { ...base, calibrated: undefined };
const builtIn = (p: SpeakerPolicy) =>
  p.calibrated?.namePosterior === base.calibrated?.namePosterior &&
  p.calibrated?.noisyNamePosterior === base.calibrated?.noisyNamePosterior &&
  p.calibrated?.unknownPrior === base.calibrated?.unknownPrior;
const candidates: Array<[string, SpeakerPolicy]> = [
  ['threshold rules', thresholdRules],
  ...priors.flatMap((unknownPrior) =>
    grid.flatMap((namePosterior) =>
      noisyGrid
        .filter((noisyNamePosterior) => noisyNamePosterior >= namePosterior)
        .map((noisyNamePosterior): [string, SpeakerPolicy] => [
          `${unknownPrior} / ${namePosterior} / ${noisyNamePosterior}`,
          rules({ unknownPrior, namePosterior, noisyNamePosterior }),
        ]),
    ),
  ),
];
say('\n##### 3. Decisions: named right / named WRONG / unknown (strangers: wrongly named)\n');
say(
  `| prior of nobody enrolled / name posterior / in noise | enrolled | right | **wrong** | unknown | strangers named | ${DEV_CONDITIONS.map((c) => `${c}: right / wrong`).join(' | ')} |`,
);
say(`|---|---|---|---|---|---|${DEV_CONDITIONS.map(() => '---|').join('')}`);
const sizes = [5, 10, 30, persons.length];
const byLength = new Map<string, Tally>();
for (const [label, policy] of candidates) {
  for (const size of sizes) {
    const closed = tally();
    const open = tally();
    const perCondition = new Map<string, Tally>();
    for (const i of usable) {
      const t = trials[i]!;
      const enrolled =
        size >= persons.length ? [...persons.keys()] : subset(persons.length, size, i, t.speaker, -1);
      const judgement = decide(material, i, enrolled, policy);
      count(closed, judgement, persons[t.speaker]!.personId);
      const c = perCondition.get(t.condition) ?? tally();
      count(c, judgement, persons[t.speaker]!.personId);
      perCondition.set(t.condition, c);
      const strangers =
        size >= persons.length
          ? [...persons.keys()].filter((k) => k !== t.speaker)
          : subset(persons.length, size, i + 1, -1, t.speaker);
      count(open, decide(material, i, strangers, policy), null);
      if (size === persons.length && builtIn(policy)) {
        const key = `${t.condition} | ${durationBucket(t)}`;
        const b = byLength.get(key) ?? tally();
        count(b, judgement, persons[t.speaker]!.personId);
        byLength.set(key, b);
      }
    }
    say(
      `| ${label} | ${size} | ${pct(closed.right, closed.total)} | **${pct2(closed.wrong, closed.total)}** | ${pct(closed.unknown, closed.total)} | ${pct2(open.wrong, open.total)} | ${DEV_CONDITIONS.map(
        (c) => {
          const x = perCondition.get(c)!;
          return `${pct(x.right, x.total)} / ${pct2(x.wrong, x.total)}`;
        },
      ).join(' | ')} |`,
    );
  }
}
say(
  `\nBy speech length (every dev person enrolled, the built-in prior ${base.calibrated?.unknownPrior} and name posteriors ${base.calibrated?.namePosterior} / in noise ${base.calibrated?.noisyNamePosterior}): right / wrong / unknown, gathered as a new voice\n`,
);
say('| condition | speech | clips | right | wrong | unknown | gathered as a new voice |');
say('|---|---|---|---|---|---|---|');
for (const [key, b] of [...byLength.entries()].sort()) {
  say(
    `| ${key} | ${b.total} | ${pct(b.right, b.total)} | ${pct2(b.wrong, b.total)} | ${pct(b.unknown, b.total)} | ${b.gathered} |`,
  );
}

// why a clip is not named (the built-in policy): the causes in order of size
say(
  `\nWhy clips are not named (the built-in policy; 5 persons enrolled as in the decision table, and every dev person): clips per outcome, by condition\n`,
);
for (const size of [5, persons.length]) {
  const causes = new Map<string, Map<string, number>>();
  for (const i of trials.keys()) {
    const t = trials[i]!;
    const enrolled =
      size >= persons.length ? [...persons.keys()] : subset(persons.length, size, i, t.speaker, -1);
    const cause = outcomeCause(material, i, enrolled, base, t.speaker);
    const row = causes.get(cause) ?? new Map<string, number>();
    row.set(t.condition, (row.get(t.condition) ?? 0) + 1);
    causes.set(cause, row);
  }
  say(`| ${size} enrolled: outcome | ${DEV_CONDITIONS.join(' | ')} |`);
  say(`|---|${DEV_CONDITIONS.map(() => '---|').join('')}`);
  const total = (row: Map<string, number>) => [...row.values()].reduce((a, b) => a + b, 0);
  for (const [cause, row] of [...causes].sort((a, b) => total(b[1]) - total(a[1]))) {
    say(`| ${cause} | ${DEV_CONDITIONS.map((c) => row.get(c) ?? 0).join(' | ')} |`);
  }
  say('');
}

// 4. gathering
say('\n##### 4. Gathering unknown voices (speechocean762 dev speakers, clean utterances)\n');
const clean = usable.filter(
  (i) =>
    trials[i]!.condition === 'clean' && trials[i]!.corpus === 'speechocean' && trials[i]!.clipSeconds < 4,
);
const same: number[] = [];
const other: number[] = [];
for (const i of clean) {
  const a = trials[i]!;
  const refs = clean.filter((j) => j > i).map((j) => trials[j]!);
  if (refs.length === 0) continue;
  const { scores } = pipeline.scoreVoices(
    modelId,
    a.embedding!,
    refs.map((r) => r.embedding!),
  );
  scores.forEach((s, k) => (refs[k]!.speaker === a.speaker ? same : other).push(s));
}
say('| same-voice score | pairs of one voice linked | pairs of two voices linked |');
say('|---|---|---|');
for (const line of [2, 3, 4, 5, 6, 7]) {
  say(
    `| ${line} | ${pct(same.filter((s) => s >= line).length, same.length)} | ${pct2(other.filter((s) => s >= line).length, other.length)} |`,
  );
}
say(
  "\n| kept at SNR ≥ / score ≤ | same-voice score | utterances | speech | voice's score ≤ | enrolled | strangers | exactly one person | none | several, or another stranger's | named after | enrolled speakers' clips kept | new persons of enrolled speakers | of which heard in |",
);
say('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const gatheringRow = (label: string, policy: SpeakerPolicy) => {
  // an enrolled person's own speech kept as an unknown voice, and new persons made of it (every dev person enrolled)
  const own = simulateOwnSpeech(material, policy, pipeline);
  const heardIn = [...own.byConditions].map(([c, n]) => `${c}: ${n}`).join(', ') || '—';
  for (const enrolledCount of [5, persons.length - 1]) {
    const r = simulateStrangers(material, policy, pipeline, enrolledCount);
    say(
      `| ${label} | ${policy.gathering.sameVoiceScore} | ${policy.gathering.minUtterances} | ${policy.gathering.minTotalSeconds} s | ${policy.gathering.newVoiceMaxScore ?? '—'} | ${enrolledCount} | ${r.strangers} | ${r.exactlyOne} | ${r.none} | ${r.several} | ${pct(r.namedAfter, r.after)} (${r.after}) | ${own.kept} of ${usable.length} | ${own.newPersons} (${own.speakersWithNewPerson} of ${own.speakers} speakers) | ${heardIn} |`,
    );
  }
};
// the threshold rules (no calibration): a voice below the new-person line is kept
gatheringRow('threshold rules', thresholdRules);
// the grid around the built-in setting: the SNR line, the keeping line, the same-voice score and the voice's line
const gatherGrid = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);
for (const gatherMinSnrDb of gatherGrid('GATHER_SNR_DB', '18,20,22')) {
  for (const gatherMaxScore of gatherGrid('GATHER_MAX_SCORES', '2.5,3')) {
    for (const sameVoiceScore of gatherGrid('SAME_VOICE_SCORES', '3,4')) {
      for (const newVoiceMaxScore of gatherGrid('NEW_VOICE_MAX_SCORES', '1.75,2,2.25')) {
        const policy = rules({ gatherMinSnrDb, gatherMaxScore });
        policy.gathering = { ...policy.gathering, sameVoiceScore, newVoiceMaxScore };
        gatheringRow(`${gatherMinSnrDb} dB / ${gatherMaxScore}`, policy);
      }
    }
  }
}

// strangers sharing one household, as in the API eval: one stranger's speech can go to another stranger's new person
say(
  '\nStrangers sharing a household (the built-in policy, 5 persons enrolled; strangers 5 at a time, each saying its first 7 utterances in turn, then the rest in rounds):\n',
);
say(
  "| strangers | exactly one person | none | several, or another stranger's | named after | utterances given another stranger's person (strangers) |",
);
say('|---|---|---|---|---|---|');
{
  const r = simulateStrangers(material, base, pipeline, 5, 5);
  say(
    `| ${r.strangers} | ${r.exactlyOne} | ${r.none} | ${r.several} | ${pct(r.namedAfter, r.after)} (${r.after}) | ${r.toAnother} (${r.strangersToAnother}) |`,
  );
}

// a gathered person's voiceprint growing with the utterances named as them, on strangers who say all they said
const voices = await devStrangerVoices(pipeline, material);
say(
  `\nGrowing a gathered person's voiceprint (5 persons enrolled; the speechocean762 dev speakers as strangers saying all their ${voices.length} utterances, about 20 each, clean; "alone": one stranger at a time; "household": 5 at a time, each saying its first 7 utterances in turn, then the rest in rounds). A name of a gathered person at the posterior (on its own evidence, no context) with the speech adds the utterance to their voiceprint, which keeps its newest automatic samples up to the cap; "grown (wrong)": utterances added (of them, another stranger's). "Given another's": utterances named as, or gathered into, another stranger's person.\n`,
);
say(
  "| growth of a gathered voiceprint: posterior / speech / cap | alone: exactly one person / none / several | alone: named after | alone: grown (wrong) | household: exactly one / several | household: named after | household: given another's (strangers) | household: grown (wrong) |",
);
say('|---|---|---|---|---|---|---|---|');
const growthRows: Array<[string, SpeakerPolicy]> = [
  ['none', { ...base, autoSamplesMax: 0 }],
  [
    "an enrolled person's line: 0.9999 / 2 s / 5",
    {
      ...rules({ gatheredRefinePosterior: 0.9999, gatheredRefineMinSpeechSeconds: 2 }),
      gathering: { ...base.gathering, voiceprintMaxSamples: base.autoSamplesMax },
    },
  ],
];
// the posterior and speech at the built-in cap, then the cap at the built-in speech
const growth = base.calibrated!;
const growthGrid = gatherGrid('GROW_POSTERIORS', '0.99,0.995,0.999,0.9999').flatMap((posterior) => [
  ...gatherGrid('GROW_SECONDS', '1,1.5,2').map((seconds) => [
    posterior,
    seconds,
    base.gathering.voiceprintMaxSamples!,
  ]),
  ...gatherGrid('GROW_CAPS', '20').map((cap) => [posterior, growth.gatheredRefineMinSpeechSeconds!, cap]),
]);
for (const [posterior, seconds, cap] of growthGrid) {
  growthRows.push([
    `${posterior} / ${seconds} s / ${cap}`,
    {
      ...rules({ gatheredRefinePosterior: posterior, gatheredRefineMinSpeechSeconds: seconds }),
      gathering: { ...base.gathering, voiceprintMaxSamples: cap },
    },
  ]);
}
for (const [label, policy] of growthRows) {
  const a = simulateStrangers(material, policy, pipeline, 5, 1, 7, voices);
  const h = simulateStrangers(material, policy, pipeline, 5, 5, 7, voices);
  say(
    `| ${label} | ${a.exactlyOne} / ${a.none} / ${a.several} | ${pct(a.namedAfter, a.after)} (${a.namedAfter} of ${a.after}) | ${a.grown} (${a.grownWrong}) | ${h.exactlyOne} / ${h.several} | ${pct(h.namedAfter, h.after)} (${h.namedAfter} of ${h.after}) | ${h.toAnother} (${h.strangersToAnother}) | ${h.grown} (${h.grownWrong}) |`,
  );
}

// 5. context
say('\n##### 5. Context: a short segment (≤ 2.5 s of speech) right after the same device named somebody\n');
say(
  'Every short dev segment (≤ 2.5 s of speech) whose speaker has a long clip (≥ 4 s) in the same condition. "Continues": the segment after that long clip, named on its own evidence as the turn (households of 5, 10 and 30: the speaker and seeded others; and every dev person). "Another enrolled speaker": the same segment after another household member\'s turn. "A stranger": the segment with its speaker not enrolled, after the turn of each other household member in turn (households of 5: 4 seeded households, of 10: 2), and decided alone ("no context"). The floor is the segment\'s own log-likelihood ratio for the turn\'s person (and nobody else\'s higher); "short noisy" is the posterior a name needs for speech ≤ 2.5 s judged noisy.\n',
);
say(
  '| continuation prior / floor / short noisy | enrolled | continues: right / wrong / unknown | the same, no context: right | another enrolled speaker: right / wrong | a stranger after a turn: wrong | a stranger, no context: wrong |',
);
say('|---|---|---|---|---|---|---|');
const contextGrid: Array<[number, number, number]> = [
  [0.8, Number.NEGATIVE_INFINITY, 0.995],
  ...[0.995, 0.999].flatMap((short) =>
    [4, 4.5, 5, 5.5].map((floor): [number, number, number] => [0.8, floor, short]),
  ),
  [0.5, 5, 0.999],
  [0.9, 5, 0.999],
];
for (const [continuationPrior, continuationMinLlr, shortNoisyNamePosterior] of contextGrid) {
  const policy = rules({ continuationPrior, continuationMinLlr, shortNoisyNamePosterior });
  for (const size of [5, 10, 30, persons.length]) {
    const cont = tally();
    const contAlone = tally();
    const change = tally();
    const stranger = tally();
    const strangerAlone = tally();
    for (const i of usable) {
      const t = trials[i]!;
      if (t.speechSeconds > 2.5) continue;
      // the turn before: the same speaker's long clip in the same condition
      const turn = usable.find(
        (j) =>
          trials[j]!.speaker === t.speaker &&
          trials[j]!.condition === t.condition &&
          trials[j]!.speechSeconds >= 4,
      );
      if (turn === undefined) continue;
      const households = size <= 5 ? 4 : size <= 10 ? 2 : 1;
      for (let h = 0; h < households; h++) {
        const household =
          size >= persons.length
            ? [...persons.keys()]
            : subset(persons.length, size, i + 7919 * h, t.speaker, -1);
        const others = household.filter((k) => k !== t.speaker);
        // a stranger to the network after each enrolled person's turn
        for (const previous of others) {
          const context = { personId: persons[previous]!.personId, gapSeconds: 1 };
          count(stranger, decide(material, i, others, policy, context), null);
        }
        count(strangerAlone, decide(material, i, others, policy), null);
        if (h > 0) continue;
        const turnJudgement = decide(material, turn, household, policy);
        if (turnJudgement?.decision.kind !== 'match') continue;
        const truth = persons[t.speaker]!.personId;
        const context = { personId: turnJudgement.decision.personId, gapSeconds: 1 };
        count(cont, decide(material, i, household, policy, context), truth);
        count(contAlone, decide(material, i, household, policy), truth);
        const other = { personId: persons[others[i % others.length]!]!.personId, gapSeconds: 1 };
        count(change, decide(material, i, household, policy, other), truth);
      }
    }
    const floor = Number.isFinite(continuationMinLlr) ? continuationMinLlr : 'none';
    say(
      `| ${continuationPrior} / ${floor} / ${shortNoisyNamePosterior} | ${size} | ${pct(cont.right, cont.total)} / ${pct2(cont.wrong, cont.total)} / ${pct(cont.unknown, cont.total)} (${cont.total}) | ${pct(contAlone.right, contAlone.total)} | ${pct(change.right, change.total)} / ${pct2(change.wrong, change.total)} | **${pct2(stranger.wrong, stranger.total)}** (${stranger.wrong} of ${stranger.total}) | **${pct2(strangerAlone.wrong, strangerAlone.total)}** (${strangerAlone.wrong} of ${strangerAlone.total}) |`,
    );
  }
}

mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
writeFileSync(
  join(process.cwd(), '.tmp', `speaker-calibration-${modelId}.json`),
  JSON.stringify(calibration, null, 2),
);
writeBenchmark({
  area: 'Speakers',
  measure: BENCHMARK_MEASURES.speakerCalibration,
  run: modelId,
  body: `Command: \`npm run eval:speakers:calibrate\` (eval/calibrate-speaker-policy.ts). Machine: ${header}.
Each dev test clip is heard as the microphone would hear it (its SNR judged by \`noiseJudgementSnrDb\`), then denoised,
cut to its VAD speech and embedded; persons are enrolled as the product enrols (\`enrolmentSample\`); decisions are
\`judgeSpeaker\`'s, the function the pipeline calls. Nothing here is an evaluation speaker.

${out.join('\n')}`,
});
pipeline.close();
