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
  isNewVoice,
  judgeSpeaker,
  planIdentification,
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
 * stranger to the enrolled persons (every other dev person, or `enrolledCount` of them), says its utterances one by one, and the product's gathering rule runs: gatherable speech is
 * kept, linked to kept speech of one voice by `sameVoiceScore`, and becomes one new person once the group holds
 * `newPersonMinUtterances` utterances and `newPersonMinTotalSeconds` of speech. Afterwards the new person is one more
 * enrolled person. Returns per stranger: persons created and how the utterances after the first creation were named.
 */
export function simulateStrangers(
  m: ScoredMaterial,
  policy: SpeakerPolicy,
  pipeline: AudioPipeline,
  enrolledCount = Infinity,
): {
  strangers: number;
  exactlyOne: number;
  none: number;
  several: number;
  namedAfter: number;
  after: number;
} {
  const out = { strangers: 0, exactlyOne: 0, none: 0, several: 0, namedAfter: 0, after: 0 };
  const bySpeaker = new Map<number, number[]>();
  m.trials.forEach((t, i) => {
    if (t.corpus === 'speechocean' && t.condition === 'clean' && t.clipSeconds < 4 && t.embedding) {
      bySpeaker.set(t.speaker, [...(bySpeaker.get(t.speaker) ?? []), i]);
    }
  });
  for (const [speaker, trialIds] of bySpeaker) {
    out.strangers++;
    // the household: every other dev person, or a seeded few of them (any corpus)
    const others =
      enrolledCount >= m.persons.length - 1
        ? [...m.persons.keys()].filter((k) => k !== speaker)
        : subset(m.persons.length, enrolledCount, speaker + 1, -1, speaker);
    const created: PersonCentroid[] = [];
    let kept: UnattributedSpeech[] = [];
    for (const i of trialIds) {
      const t = m.trials[i]!;
      const base = decide(m, i, others, policy);
      let named = false;
      if (created.length > 0) {
        const judgement = judgeSpeaker({ speechSeconds: t.speechSeconds, snrDb: t.snrDb }, [
          {
            modelId: m.modelId,
            embedding: t.embedding!,
            persons: [...others.map((k) => m.persons[k]!), ...created],
            policy,
            scale: m.scale,
            score: (test, refs) => pipeline.scoreVoices(m.modelId, test, refs),
          },
        ]);
        out.after++;
        if (
          judgement.decision.kind === 'match' &&
          created.some((p) => p.personId === (judgement.decision as { personId: string }).personId)
        ) {
          out.namedAfter++;
          named = true;
        }
        if (named || !judgement.gatherable) continue;
      } else if (!base?.gatherable) continue;
      const current = { embedding: t.embedding!, speechSeconds: t.speechSeconds };
      const members = gatherVoice(
        kept,
        current,
        policy.gathering,
        (test, refs) => pipeline.scoreVoices(m.modelId, test, refs),
        newVoiceRule(m, pipeline, policy, [...others.map((k) => m.persons[k]!), ...created]),
      );
      if (members) {
        const group = [current, ...members.map((k) => kept[k]!)];
        created.push({
          personId: `new-${speaker}-${created.length}`,
          centroid: centroidOf(group.map((g) => g.embedding)),
          samples: group.length,
        });
        kept = kept.filter((_, k) => !members.includes(k));
      } else kept.push(current);
    }
    if (created.length === 1) out.exactlyOne++;
    else if (created.length === 0) out.none++;
    else out.several++;
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
