/**
 * Short continuations on the dev split (a one-off look, not a setting's calibration): speech segments of SEG seconds
 * (default 0.75: under the 1 s a name otherwise needs) cut from the middle of the VAD speech of the speechocean762 dev
 * speakers' utterances (not the three that enrol them; the cached audio of eval:speakers:calibrate's section 4, run it
 * first), each said a second after the same speaker's named turn (their joined >= 4 s clean dev test) in a household
 * of 5, and, with the speaker not enrolled, after each other member's turn (two seeded households). Decided by
 * judgeSpeaker for floors of the segment's own log-likelihood ratio and continuation priors.
 * Run: SPEECHOCEAN_DIR=... npx tsx eval/short-continuations.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import { defaultPolicyFor, judgeSpeaker, type SpeakerPolicy } from '@mira/recognition';
import { evalPipeline } from './lib.js';
import { devMaterial } from './speaker-dev-trials.js';
import { pct, pct2, scoreMaterial, subset } from './speaker-policy-sim.js';
const pipeline = await evalPipeline();
const modelId = pipeline.speaker!.modelId;
const material = scoreMaterial(pipeline, await devMaterial(pipeline, modelId, Infinity));
const { persons, trials } = material;
const base = defaultPolicyFor(modelId, material.scale);
const name = readdirSync('.tmp')
  .find((f) => f.startsWith('speaker-dev-voices-') && f.endsWith('.json'))!
  .replace('.json', '');
const bytes = readFileSync(`.tmp/${name}.f32`);
const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const json = JSON.parse(readFileSync(`.tmp/${name}.json`, 'utf8')) as {
  trials: Array<{ speaker: number; snrDb: number; speechSeconds: number; speech: [number, number] }>;
};
const SR = 16000;
const score = (t: Float32Array, r: Float32Array[]) => pipeline.scoreVoices(modelId, t, r);
// each speaker's turn: the joined (>= 4 s) clean dev test
const turnOf = new Map<number, number>();
trials.forEach((t, i) => {
  if (
    t.condition === 'clean' &&
    t.corpus === 'speechocean' &&
    t.speechSeconds >= 4 &&
    t.embedding &&
    !turnOf.has(t.speaker)
  )
    turnOf.set(t.speaker, i);
});
const index = new Map<number, number>();
const segs: Array<{ speaker: number; snrDb: number; seconds: number; embedding: Float32Array }> = [];
for (const t of json.trials) {
  const k = index.get(t.speaker) ?? 0;
  index.set(t.speaker, k + 1);
  if (k < 3) continue; // the enrolment utterances
  const speech = all.subarray(t.speech[0], t.speech[0] + t.speech[1]);
  const seconds = Number(process.env.SEG ?? 0.75);
  const n = Math.round(seconds * SR);
  if (speech.length < n) continue;
  const at = Math.floor((speech.length - n) / 2);
  segs.push({
    speaker: t.speaker,
    snrDb: t.snrDb,
    seconds,
    embedding: (await pipeline.embed(speech.slice(at, at + n), modelId)).vector,
  });
}
console.log('segments', segs.length);
const variants: Array<[string, SpeakerPolicy]> = [];
for (const floor of [5, 4, 3])
  for (const prior of [0.8, 0.9, 0.95])
    variants.push([
      `floor ${floor} prior ${prior}`,
      { ...base, calibrated: { ...base.calibrated!, continuationMinLlr: floor, continuationPrior: prior } },
    ]);
for (const [label, policy] of variants) {
  let cont = 0,
    contRight = 0,
    contWrong = 0,
    str = 0,
    strWrong = 0;
  segs.forEach((s, si) => {
    const turn = turnOf.get(s.speaker);
    if (turn === undefined) return;
    for (let h = 0; h < 2; h++) {
      const household = subset(persons.length, 5, si + 7919 * h, s.speaker, -1);
      const others = household.filter((k) => k !== s.speaker);
      const ev = (ps: number[]) => [
        {
          modelId,
          embedding: s.embedding,
          persons: ps.map((k) => persons[k]!),
          policy,
          scale: material.scale,
          score,
        },
      ];
      for (const previous of others) {
        str++;
        const j = judgeSpeaker(
          {
            speechSeconds: s.seconds,
            snrDb: s.snrDb,
            context: { personId: persons[previous]!.personId, gapSeconds: 1 },
          },
          ev(others),
        );
        if (j.decision.kind === 'match') strWrong++;
      }
      if (h > 0) continue;
      const t = trials[turn]!;
      const tj = judgeSpeaker({ speechSeconds: t.speechSeconds, snrDb: t.snrDb }, [
        {
          modelId,
          embedding: t.embedding!,
          persons: household.map((k) => persons[k]!),
          policy,
          scale: material.scale,
          score,
        },
      ]);
      if (tj.decision.kind !== 'match') continue;
      cont++;
      const j = judgeSpeaker(
        {
          speechSeconds: s.seconds,
          snrDb: s.snrDb,
          context: { personId: tj.decision.personId, gapSeconds: 1 },
        },
        ev(household),
      );
      if (j.decision.kind === 'match') {
        if (j.decision.personId === persons[s.speaker]!.personId) contRight++;
        else contWrong++;
      }
    }
  });
  console.log(
    `${label}: continuation named right ${pct(contRight, cont)} wrong ${pct2(contWrong, cont)} (${cont}) | stranger after a turn named ${pct2(strWrong, str)} (${strWrong} of ${str})`,
  );
}
pipeline.close();
