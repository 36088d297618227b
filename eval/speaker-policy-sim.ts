/**
 * The product's speaker decisions (judgeSpeaker, libs/recognition) replayed over the cached dev material
 * (speaker-dev-trials.ts) for candidate policies: each trial is scored once against every person's voiceprints, and
 * any subset of persons reads its scores from there (a cohort-normalised score of a pair does not depend on the
 * other persons).
 */
import { type AudioPipeline } from '@mira/audio';
import { centroidOf } from '@mira/core';
import {
  type PersonCentroid,
  type PersonScores,
  type SpeakerJudgement,
  type SpeakerPolicy,
  type TurnContext,
  type UnattributedSpeech,
  bestScores,
  gatherVoice,
  isNoisy,
  isNewVoice,
  judgeSpeaker,
  keptSamples,
  planIdentification,
  posteriors,
  scoreLlr,
} from '@mira/recognition';
import type { DevMaterial, DevTrial } from './speaker-dev-trials.js';

export interface ScoredMaterial extends DevMaterial {
  scale: string;
  /** Per trial (null without an embedding): scores against every clean voiceprint, then every noisy one. */
  table: Array<PersonScores | null>;
  /** Reference arrays in table order (noisy ones are distinct arrays even when a person has no noisy voiceprint). */
  references: Float32Array[];
  score(trial: number): (test: Float32Array, references: Float32Array[]) => PersonScores;
}

export function scoreMaterial(pipeline: AudioPipeline, material: DevMaterial): ScoredMaterial {
  const { modelId, persons } = material;
  const references = [
    ...persons.map((p) => p.centroid),
    ...persons.map((p) => p.noisyCentroid ?? Float32Array.from(p.centroid)),
  ];
  const position = new Map(references.map((r, i) => [r, i]));
  // each person's noisy reference as planIdentification will ask for it
  const persons2 = persons.map((p, i) => ({ ...p, noisyCentroid: references[persons.length + i]! }));
  const table = material.trials.map((t) =>
    t.embedding ? pipeline.scoreVoices(modelId, t.embedding, references) : null,
  );
  const scale = pipeline.speakerScale(modelId);
  return {
    ...material,
    persons: persons2,
    scale,
    table,
    references,
    score: (trial) => (_test, refs) => {
      const row = table[trial]!;
      const at = refs.map((r) => {
        const k = position.get(r);
        if (k === undefined) throw new Error('a reference outside the dev material');
        return k;
      });
      return {
        scale: row.scale,
        scores: at.map((k) => row.scores[k]!),
        cosines: at.map((k) => row.cosines[k]!),
      };
    },
  };
}

/** The product's per-person scores of a trial (planIdentification + bestScores), aligned with `persons`. */
export function productScoresOf(m: ScoredMaterial, trial: number, policy: SpeakerPolicy): PersonScores {
  const t = m.trials[trial]!;
  const { references, offsets } = planIdentification(t.snrDb, m.persons, m.scale, policy);
  return bestScores(m.score(trial)(t.embedding!, references), offsets);
}

/** The product's decision on one trial against a set of persons (indices into m.persons). */
export function decide(
  m: ScoredMaterial,
  trial: number,
  personIndices: number[],
  policy: SpeakerPolicy,
  context?: TurnContext | null,
): SpeakerJudgement | null {
  const t = m.trials[trial]!;
  if (!t.embedding) return null;
  return judgeSpeaker({ speechSeconds: t.speechSeconds, snrDb: t.snrDb, context }, [
    {
      modelId: m.modelId,
      embedding: t.embedding,
      persons: personIndices.map((k) => m.persons[k]!),
      policy,
      scale: m.scale,
      score: m.score(trial),
    },
  ]);
}

/**
 * Why the product's decision on a trial was not a name (or `right` / `wrong` when it was): too little speech (none
 * to embed, or under the minimum a name needs), or, for speech judged clean or noisy by the SNR rule, the nearest
 * voiceprint by cosine disagreeing with the likeliest person, or the likeliest person's posterior under the line,
 * held down more by "nobody enrolled" or by the runner-up. Mirrors judgeSpeaker's calibrated branch without context.
 */
export function outcomeCause(
  m: ScoredMaterial,
  trial: number,
  personIndices: number[],
  policy: SpeakerPolicy,
  truth: number,
): string {
  const t = m.trials[trial]!;
  const judgement = decide(m, trial, personIndices, policy);
  if (!judgement) return 'no speech to embed (< 0.5 s)';
  const d = judgement.decision;
  if (d.kind === 'match') return d.personId === m.persons[truth]!.personId ? 'right' : 'WRONG';
  if (d.kind === 'unknown' && d.reason === 'too_little_speech')
    return `under ${policy.minMatchSpeechSeconds} s of speech`;
  const rules = policy.calibrated;
  const noisy = isNoisy(t.snrDb, policy);
  const heard = noisy ? 'judged noisy' : 'judged clean';
  if (!rules) return `${heard}: ${d.kind === 'unknown' ? d.reason : d.kind}`;
  const all = productScoresOf(m, trial, policy);
  const scores = personIndices.map((k) => all.scores[k]!);
  const cosines = personIndices.map((k) => all.cosines[k]!);
  const llrs = scores.map((s) => scoreLlr(rules.calibration, s, t.speechSeconds, noisy));
  const post = posteriors(llrs, rules.unknownPrior);
  const ranked = [...llrs.keys()].sort((a, b) => llrs[b]! - llrs[a]!);
  const top = ranked[0]!;
  const line = noisy ? rules.noisyNamePosterior : rules.namePosterior;
  const nearest = cosines.indexOf(Math.max(...cosines));
  const who = personIndices[top] === truth ? 'the speaker likeliest' : 'another likeliest';
  if (post.persons[top]! >= line && nearest !== top) return `${heard}: nearest by cosine disagrees`;
  const runnerUp = ranked[1] === undefined ? 0 : post.persons[ranked[1]]!;
  return `${heard}: posterior < ${line}, held down by ${post.unknown >= runnerUp ? '"nobody enrolled"' : 'the runner-up'} (${who})`;
}

export interface Tally {
  right: number;
  wrong: number;
  unknown: number;
  /** Clips that would be gathered towards a new person. */
  gathered: number;
  total: number;
}
export const tally = (): Tally => ({ right: 0, wrong: 0, unknown: 0, gathered: 0, total: 0 });

/** Counts a decision; `truth` = the speaker's person id when enrolled, null for a stranger. */
export function count(t: Tally, judgement: SpeakerJudgement | null, truth: string | null): void {
  t.total++;
  if (!judgement || judgement.decision.kind !== 'match') {
    t.unknown++;
    if (judgement?.gatherable) t.gathered++;
  } else if (judgement.decision.personId === truth) t.right++;
  else t.wrong++;
}

export const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)} %`;
export const pct2 = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(2)} %`;

/** Seeded subset of `size` indices of 0..n-1 that includes `must` (when ≥ 0) and excludes `not` (when ≥ 0). */
export function subset(n: number, size: number, seed: number, must: number, not: number): number[] {
  const pool = [...Array(n).keys()].filter((k) => k !== must && k !== not);
  let s = seed;
  for (let i = pool.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const chosen = pool.slice(0, must >= 0 ? size - 1 : size);
  return (must >= 0 ? [must, ...chosen] : chosen).sort((a, b) => a - b);
}

export const durationBucket = (t: DevTrial) =>
  t.speechSeconds < 1.5
    ? '< 1.5 s'
    : t.speechSeconds < 2.5
      ? '1.5-2.5 s'
      : t.speechSeconds < 4
        ? '2.5-4 s'
        : '≥ 4 s';

/**
 * Gathering unattributed speech of strangers (speechocean dev speakers, clean utterances): each speaker in turn is a
 * stranger to the enrolled persons (every other dev person, or `enrolledCount` of them), says its utterances one by
 * one, and the product's gathering rule runs: gatherable speech is kept, linked to kept speech of one voice by
 * `sameVoiceScore`, and becomes one new person once the group holds `newPersonMinUtterances` utterances and
 * `newPersonMinTotalSeconds` of speech. Afterwards the new person is one more enrolled person.
 *
 * `together` strangers share one household, as in the API eval (eval:speakers:pipeline): they talk in turn (the first
 * `firstTurn` utterances of each, then one each in rounds) and their kept speech and new persons are shared, so one
 * stranger's utterance can be gathered into, or named as, another stranger's new person. A new person belongs to the
 * stranger whose utterance made it. Returns per stranger: the persons it made, how its utterances after its first
 * person were named, and how many of its utterances went to another stranger's person (named as it, or gathered
 * into it). A named gathered person's voiceprint grows as the product grows it (judgeSpeaker's `refine`, bounded by
 * keptSamples). `voices`: what the strangers say (devStrangerVoices: all their utterances), instead of their short
 * clean dev tests.
 */
export function simulateStrangers(
  m: ScoredMaterial,
  policy: SpeakerPolicy,
  pipeline: AudioPipeline,
  enrolledCount = Infinity,
  together = 1,
  firstTurn = 7,
  voices?: DevTrial[],
): {
  strangers: number;
  exactlyOne: number;
  none: number;
  several: number;
  namedAfter: number;
  after: number;
  /** Utterances named as, or gathered into, another stranger's new person. */
  toAnother: number;
  /** Strangers with at least one such utterance. */
  strangersToAnother: number;
  /** Utterances added to a gathered person's voiceprint, and those of them by another stranger. */
  grown: number;
  grownWrong: number;
} {
  const out = {
    strangers: 0,
    exactlyOne: 0,
    none: 0,
    several: 0,
    namedAfter: 0,
    after: 0,
    toAnother: 0,
    strangersToAnother: 0,
    grown: 0,
    grownWrong: 0,
  };
  // what strangers say: their every utterance when given (devStrangerVoices), else their short clean dev tests
  const said = voices ?? m.trials;
  const bySpeaker = new Map<number, number[]>();
  said.forEach((t, i) => {
    if (
      t.corpus === 'speechocean' &&
      t.condition === 'clean' &&
      (voices || t.clipSeconds < 4) &&
      t.embedding
    ) {
      bySpeaker.set(t.speaker, [...(bySpeaker.get(t.speaker) ?? []), i]);
    }
  });
  const speakers = [...bySpeaker.keys()];
  const score = (test: Float32Array, refs: Float32Array[]) => pipeline.scoreVoices(m.modelId, test, refs);
  for (let g = 0; g < speakers.length; g += together) {
    const group = speakers.slice(g, g + together);
    // the household: every dev person but the group, or a seeded few of them (any corpus)
    const others =
      enrolledCount >= m.persons.length - group.length
        ? [...m.persons.keys()].filter((k) => !group.includes(k))
        : subset(m.persons.length, enrolledCount, group[0]! + 1, -1, group[0]!).filter(
            (k) => !group.includes(k),
          );
    const household = others.map((k) => m.persons[k]!);
    const created: Array<PersonCentroid & { owner: number; voiceprint: Float32Array[] }> = [];
    let kept: Array<UnattributedSpeech & { speaker: number }> = [];
    const made = new Map<number, number>(group.map((s) => [s, 0]));
    const firstMade = new Set<number>();
    const toAnother = new Map<number, number>(group.map((s) => [s, 0]));
    // who speaks when: the first turns of each in sequence, then one utterance each in rounds
    const order: Array<[number, number]> = [];
    for (const s of group)
      bySpeaker
        .get(s)!
        .slice(0, firstTurn)
        .forEach((i) => order.push([s, i]));
    const rest = group.map((s) => bySpeaker.get(s)!.slice(firstTurn));
    for (let k = 0; rest.some((r) => k < r.length); k++) {
      rest.forEach((r, j) => r[k] !== undefined && order.push([group[j]!, r[k]!]));
    }
    for (const [speaker, i] of order) {
      const t = said[i]!;
      const judgement = judgeSpeaker({ speechSeconds: t.speechSeconds, snrDb: t.snrDb }, [
        {
          modelId: m.modelId,
          embedding: t.embedding!,
          persons: [...household, ...created],
          policy,
          scale: m.scale,
          score,
        },
      ]);
      const named =
        judgement.decision.kind === 'match'
          ? created.find((p) => p.personId === (judgement.decision as { personId: string }).personId)
          : undefined;
      if (firstMade.has(speaker)) {
        out.after++;
        if (named?.owner === speaker) out.namedAfter++;
      }
      if (named && named.owner !== speaker) toAnother.set(speaker, toAnother.get(speaker)! + 1);
      if (named && judgement.decision.kind === 'match' && judgement.decision.refine) {
        // the voiceprint grows as the product grows it (an automatic sample, bounded by voiceprint-growth.ts)
        const samples = keptSamples(
          [...named.voiceprint, t.embedding!].map((embedding) => ({ source: 'auto' as const, embedding })),
          policy,
        ).map((s) => s.embedding);
        named.voiceprint = samples;
        named.centroid = centroidOf(samples);
        named.samples = samples.length;
        out.grown++;
        if (named.owner !== speaker) out.grownWrong++;
      }
      if (named || !judgement.gatherable) continue;
      const current = { embedding: t.embedding!, speechSeconds: t.speechSeconds, speaker };
      const members = gatherVoice(
        kept,
        current,
        policy.gathering,
        score,
        newVoiceRule(m, pipeline, policy, [...household, ...created]),
      );
      if (members) {
        const voices = [current, ...members.map((k) => kept[k]!)];
        created.push({
          personId: `new-${speaker}-${created.length}`,
          centroid: centroidOf(voices.map((v) => v.embedding)),
          samples: voices.length,
          owner: speaker,
          gathered: true,
          voiceprint: voices.map((v) => v.embedding),
        });
        made.set(speaker, made.get(speaker)! + 1);
        firstMade.add(speaker);
        for (const v of voices.slice(1)) {
          if (v.speaker !== speaker) toAnother.set(v.speaker, toAnother.get(v.speaker)! + 1);
        }
        kept = kept.filter((_, k) => !members.includes(k));
      } else kept.push(current);
    }
    for (const s of group) {
      out.strangers++;
      const n = made.get(s)!;
      const lent = toAnother.get(s)!;
      out.toAnother += lent;
      if (lent > 0) out.strangersToAnother++;
      if (n === 1 && lent === 0) out.exactlyOne++;
      else if (n === 0 && lent === 0) out.none++;
      else out.several++;
    }
  }
  return out;
}

/** The product's rule for a gathered voice (isNewVoice) against these persons, scored by the pipeline. */
function newVoiceRule(
  m: ScoredMaterial,
  pipeline: AudioPipeline,
  policy: SpeakerPolicy,
  persons: PersonCentroid[],
): (voice: UnattributedSpeech) => boolean {
  const current = {
    modelId: m.modelId,
    embedding: new Float32Array(0),
    persons,
    policy,
    scale: m.scale,
    score: (test: Float32Array, refs: Float32Array[]) => pipeline.scoreVoices(m.modelId, test, refs),
  };
  return (voice) => isNewVoice(voice, current);
}

/**
 * An enrolled person's own speech must never become a new person: every dev person enrolled, each speaker's clips
 * (every condition, in order) taken through the product's decision and gathering rules. Counts the clips kept as an
 * unknown voice and the new persons made of an enrolled speaker's own speech.
 */
export function simulateOwnSpeech(
  m: ScoredMaterial,
  policy: SpeakerPolicy,
  pipeline: AudioPipeline,
): {
  speakers: number;
  kept: number;
  newPersons: number;
  speakersWithNewPerson: number;
  /** New persons by the conditions their utterances were heard in (e.g. "telephone band", "clean + babble 5 dB"). */
  byConditions: Map<string, number>;
} {
  const out = {
    speakers: 0,
    kept: 0,
    newPersons: 0,
    speakersWithNewPerson: 0,
    byConditions: new Map<string, number>(),
  };
  const everyone = [...m.persons.keys()];
  const rule = newVoiceRule(m, pipeline, policy, m.persons);
  const bySpeaker = new Map<number, number[]>();
  m.trials.forEach((t, i) => {
    if (t.embedding) bySpeaker.set(t.speaker, [...(bySpeaker.get(t.speaker) ?? []), i]);
  });
  for (const trialIds of bySpeaker.values()) {
    out.speakers++;
    let kept: Array<UnattributedSpeech & { condition: string }> = [];
    let made = 0;
    for (const i of trialIds) {
      if (!decide(m, i, everyone, policy)?.gatherable) continue;
      out.kept++;
      const t = m.trials[i]!;
      const current = { embedding: t.embedding!, speechSeconds: t.speechSeconds, condition: t.condition };
      const members = gatherVoice(
        kept,
        current,
        policy.gathering,
        (test, refs) => pipeline.scoreVoices(m.modelId, test, refs),
        rule,
      );
      if (members) {
        made++;
        const conditions = [...new Set([t.condition, ...members.map((k) => kept[k]!.condition)])].sort();
        const key = conditions.join(' + ');
        out.byConditions.set(key, (out.byConditions.get(key) ?? 0) + 1);
        kept = kept.filter((_, k) => !members.includes(k));
      } else kept.push(current);
    }
    out.newPersons += made;
    if (made > 0) out.speakersWithNewPerson++;
  }
  return out;
}
