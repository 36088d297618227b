import { cosine } from '@mira/core';
import { posteriors, scoreLlr } from './speaker-calibration.js';
import { isNewVoice, judgeSpeaker } from './speaker-decision.js';
import type { SpeakerPolicy } from './speaker-policy.js';
import { gatherVoice } from './voice-gathering.js';
import { at, calibration, evidence, person, policy } from '../../../test/support/speaker-policy-fixtures.js';

describe('speaker calibration: scores become evidence, evidence becomes probabilities', () => {
  it('reads a score as stronger evidence the more speech it rests on', () => {
    expect(scoreLlr(calibration, 0.8, 2, false)).toBeCloseTo(6, 5);
    expect(scoreLlr(calibration, 0.8, 5, false)).toBeGreaterThan(scoreLlr(calibration, 0.8, 2, false));
    expect(scoreLlr(calibration, 0.8, 1, false)).toBeLessThan(scoreLlr(calibration, 0.8, 2, false));
    // durations outside the calibrated range are clamped
    expect(scoreLlr(calibration, 0.8, 30, false)).toBe(scoreLlr(calibration, 0.8, 8, false));
  });

  it('shares the known mass between persons, so the same evidence is weaker among more persons', () => {
    const few = posteriors([5, -5], 0.5);
    const many = posteriors([5, ...Array<number>(49).fill(-5)], 0.5);
    expect(few.persons[0]).toBeGreaterThan(many.persons[0]!);
    expect(few.persons.reduce((a, b) => a + b, 0) + few.unknown).toBeCloseTo(1, 10);
    expect(posteriors([], 0.5)).toEqual({ persons: [], unknown: 1 });
  });

  it('context raises one person prior; it never creates evidence', () => {
    const plain = posteriors([3, 0], 0.5);
    const favoured = posteriors([3, 0], 0.5, { index: 0, prior: 0.8 });
    expect(favoured.persons[0]).toBeGreaterThan(plain.persons[0]!);
    // evidence against the favoured person still wins
    const against = posteriors([-8, 9], 0.5, { index: 0, prior: 0.8 });
    expect(against.persons[1]).toBeGreaterThan(0.99);
  });
});

describe('judgeSpeaker: who spoke, from all the evidence', () => {
  const anna = person('anna', 0);
  const ben = person('ben', 90);

  it('names a person when the posterior clears the line, and only feeds the voiceprint on strong clean evidence', () => {
    const strong = judgeSpeaker({ speechSeconds: 4, snrDb: 30 }, [evidence(at(5), [anna, ben])]);
    expect(strong.decision).toMatchObject({ kind: 'match', personId: 'anna', refine: true });
    expect(strong.matchedModelId).toBe('model-b');
    const noisy = judgeSpeaker({ speechSeconds: 4, snrDb: 3 }, [evidence(at(5), [anna, ben])]);
    expect(noisy.decision).toMatchObject({ kind: 'match', personId: 'anna', refine: false });
  });

  it('says unknown for the same similarity on too little speech, and never below the speech floor', () => {
    // cos 35° = 0.82: enough over 3 s, not over 1.1 s
    expect(judgeSpeaker({ speechSeconds: 3, snrDb: 30 }, [evidence(at(35), [anna, ben])]).decision.kind).toBe(
      'match',
    );
    expect(
      judgeSpeaker({ speechSeconds: 1.1, snrDb: 30 }, [evidence(at(35), [anna, ben])]).decision,
    ).toMatchObject({
      kind: 'unknown',
      suggestedPersonId: 'anna',
    });
    expect(judgeSpeaker({ speechSeconds: 0.8, snrDb: 30 }, [evidence(at(0), [anna])]).decision).toMatchObject(
      {
        kind: 'unknown',
        reason: 'too_little_speech',
      },
    );
  });

  it('uses context only for a short segment right after the same device named that person', () => {
    const short = { speechSeconds: 1.5, snrDb: 30 };
    const e = [evidence(at(38), [anna, ben])];
    expect(judgeSpeaker(short, e).decision.kind).toBe('unknown');
    const continued = judgeSpeaker({ ...short, context: { personId: 'anna', gapSeconds: 1 } }, e);
    expect(continued.decision).toMatchObject({ kind: 'match', personId: 'anna', refine: false });
    expect(continued.contextUsed).toBe(true);
    // too long after the turn, a long segment, or a turn of somebody else: no help
    expect(judgeSpeaker({ ...short, context: { personId: 'anna', gapSeconds: 30 } }, e).decision.kind).toBe(
      'unknown',
    );
    expect(
      judgeSpeaker({ speechSeconds: 3, snrDb: 30, context: { personId: 'anna', gapSeconds: 1 } }, [
        evidence(at(60), [anna, ben]),
      ]).contextUsed,
    ).toBe(false);
    const otherTurn = judgeSpeaker({ ...short, context: { personId: 'ben', gapSeconds: 1 } }, e);
    expect(otherTurn.decision).not.toMatchObject({ kind: 'match', personId: 'ben' });
  });

  it("gives the turn's person the prior only when the segment's own evidence reaches the floor", () => {
    // cos 40° over 1.5 s: a log-likelihood ratio of about 4.9 for Anna, under the floor of 5
    const short = { speechSeconds: 1.5, snrDb: 30, context: { personId: 'anna', gapSeconds: 1 } };
    const e = [evidence(at(40), [anna, ben])];
    const withoutFloor: SpeakerPolicy = {
      ...policy,
      calibrated: { ...policy.calibrated!, continuationMinLlr: Number.NEGATIVE_INFINITY },
    };
    expect(judgeSpeaker(short, [{ ...e[0]!, policy: withoutFloor }]).decision).toMatchObject({
      kind: 'match',
      personId: 'anna',
    });
    const judged = judgeSpeaker(short, e);
    expect(judged.decision.kind).toBe('unknown');
    expect(judged.contextUsed).toBe(false);
  });

  it('needs a stricter posterior for short speech heard in noise', () => {
    // P(Anna) ≈ 0.995 on 2 s of noisy speech: over the noisy line (0.99), under the short noisy one (0.999)
    const noisyShort = judgeSpeaker({ speechSeconds: 2, snrDb: 3 }, [evidence(at(0), [anna, ben])]);
    expect(noisyShort.decision).toMatchObject({ kind: 'unknown', suggestedPersonId: 'anna' });
    expect(
      judgeSpeaker({ speechSeconds: 3, snrDb: 3 }, [evidence(at(0), [anna, ben])]).decision,
    ).toMatchObject({ kind: 'match', personId: 'anna' });
    // the same 2 s heard clean clears the clean line
    expect(
      judgeSpeaker({ speechSeconds: 2, snrDb: 30 }, [evidence(at(0), [anna, ben])]).decision,
    ).toMatchObject({ kind: 'match', personId: 'anna' });
  });

  it("names a segment with less speech than a name needs only as the turn's speaker it continues", () => {
    const e = [evidence(at(5), [anna, ben])];
    const under = { speechSeconds: 0.8, snrDb: 30 };
    expect(judgeSpeaker(under, e).decision).toMatchObject({ kind: 'unknown', reason: 'too_little_speech' });
    const continued = judgeSpeaker({ ...under, context: { personId: 'anna', gapSeconds: 1 } }, e);
    expect(continued.decision).toMatchObject({ kind: 'match', personId: 'anna', refine: false });
    expect(continued.contextUsed).toBe(true);
    // after Ben's turn, Anna's voice is not his, and too little to be hers on its own
    expect(judgeSpeaker({ ...under, context: { personId: 'ben', gapSeconds: 1 } }, e).decision).toMatchObject(
      { kind: 'unknown', reason: 'too_little_speech' },
    );
    // under the continuation's own floor: nobody
    expect(
      judgeSpeaker({ speechSeconds: 0.4, snrDb: 30, context: { personId: 'anna', gapSeconds: 1 } }, e)
        .decision,
    ).toMatchObject({ kind: 'unknown', reason: 'too_little_speech' });
  });

  it('weighs persons of an older model (awaiting re-enrolment) on the same footing', () => {
    const legacy = evidence(at(3), [person('carl', 0)], { modelId: 'model-a' });
    const judgement = judgeSpeaker({ speechSeconds: 3, snrDb: 30 }, [evidence(at(0), [ben]), legacy]);
    expect(judgement.decision).toMatchObject({ kind: 'match', personId: 'carl', refine: false });
    expect(judgement.matchedModelId).toBe('model-a');
  });

  it('offers clearly unknown clean speech for gathering, never noisy speech or an enrolled voice', () => {
    const stranger = at(0, 6); // far from everyone
    expect(judgeSpeaker({ speechSeconds: 2, snrDb: 30 }, [evidence(stranger, [anna, ben])]).gatherable).toBe(
      true,
    );
    expect(judgeSpeaker({ speechSeconds: 2, snrDb: 5 }, [evidence(stranger, [anna, ben])]).gatherable).toBe(
      false,
    );
    // clean by the SNR rule, but not heard clearly enough to stand for a voice
    expect(judgeSpeaker({ speechSeconds: 2, snrDb: 15 }, [evidence(stranger, [anna, ben])]).gatherable).toBe(
      false,
    );
    expect(
      judgeSpeaker({ speechSeconds: 1.2, snrDb: 30 }, [evidence(stranger, [anna, ben])]).gatherable,
    ).toBe(false);
    expect(judgeSpeaker({ speechSeconds: 2, snrDb: 30 }, [evidence(at(40), [anna, ben])]).gatherable).toBe(
      false,
    );
    expect(judgeSpeaker({ speechSeconds: 2, snrDb: 30 }, [evidence(stranger, [])]).decision).toMatchObject({
      kind: 'unknown',
      reason: 'gathering_new_voice',
    });
  });

  it('does not gather speech that is nobody against the clean voiceprints but somebody heard in noise', () => {
    // where Anna's speech lands through babble the SNR stage missed: far from her clean voiceprint, at the one heard
    // in noise
    const annaWithNoisy = { ...person('anna', 0), noisyCentroid: at(-80) };
    const judge = (embedding: Float32Array) =>
      judgeSpeaker({ speechSeconds: 2, snrDb: 30 }, [
        evidence(embedding, [annaWithNoisy, ben], { scale: 'as-norm' }),
      ]);
    expect(judge(at(-80)).decision).toMatchObject({ kind: 'unknown' });
    expect(judge(at(-80)).gatherable).toBe(false);
    expect(judge(at(0, 6)).gatherable).toBe(true);
  });

  it('without a calibration, the threshold rules decide and a new voice is gathered, not made a person', () => {
    const { calibrated: _, ...thresholds } = policy;
    const judgement = judgeSpeaker({ speechSeconds: 3, snrDb: 30 }, [
      evidence(at(0, 3), [anna, ben], { policy: thresholds }),
    ]);
    expect(judgement.decision).toMatchObject({ kind: 'unknown', reason: 'gathering_new_voice' });
    expect(judgement.gatherable).toBe(true);
  });
});

describe('gathering unknown voices into one new person', () => {
  const score = (test: Float32Array, references: Float32Array[]) => {
    const cosines = references.map((r) => cosine(test, r));
    return { scale: 'cosine', scores: cosines, cosines };
  };
  const speech = (degrees: number, seconds = 2) => ({ embedding: at(degrees), speechSeconds: seconds });

  it('waits until enough utterances of one voice, holding enough speech, are kept', () => {
    expect(gatherVoice([], speech(0), policy.gathering, score)).toBeNull();
    expect(gatherVoice([speech(2)], speech(0), policy.gathering, score)).toBeNull();
    expect(gatherVoice([speech(2), speech(4)], speech(0), policy.gathering, score)).toEqual([0, 1]);
    expect(gatherVoice([speech(2, 1), speech(4, 1)], speech(0, 1), policy.gathering, score)).toBeNull();
  });

  it('never makes a person of a group that, heard as one voice, is somebody enrolled', () => {
    const kept = [speech(2), speech(4)];
    const asked: Array<{ embedding: Float32Array; speechSeconds: number }> = [];
    const refuse = (voice: { embedding: Float32Array; speechSeconds: number }) => {
      asked.push(voice);
      return false;
    };
    expect(gatherVoice(kept, speech(0), policy.gathering, score, refuse)).toBeNull();
    // asked once, about the whole group: its centroid and all of its speech
    expect(asked).toHaveLength(1);
    expect(asked[0]!.speechSeconds).toBe(6);
    expect(cosine(asked[0]!.embedding, at(2))).toBeGreaterThan(0.999);
    expect(gatherVoice(kept, speech(0), policy.gathering, score, () => true)).toEqual([0, 1]);
  });

  it('judges a gathered voice against the enrolled persons as clean speech of all its length', () => {
    const persons = [person('anna', 0), person('ben', 90)];
    // a voice near Anna's in every utterance is Anna's, however unclear each utterance was
    expect(isNewVoice({ embedding: at(5), speechSeconds: 6 }, evidence(at(0), persons))).toBe(false);
    expect(isNewVoice({ embedding: at(0, 6), speechSeconds: 6 }, evidence(at(0), persons))).toBe(true);
  });

  it("with a voice line, judges the gathered voice's centroid against every voiceprint, clean and heard in noise", () => {
    const lined = { ...policy, gathering: { ...policy.gathering, newVoiceMaxScore: 0.5 } };
    const anna = { ...person('anna', 0), noisyCentroid: at(-80) };
    const persons = [anna, person('ben', 90)];
    const judge = (embedding: Float32Array) =>
      isNewVoice({ embedding, speechSeconds: 6 }, evidence(at(0), persons, { policy: lined }));
    expect(judge(at(0, 6))).toBe(true); // cosine 0.16 with Anna, 0 with Ben
    expect(judge(at(40, 0.5))).toBe(false); // 0.69 with Anna's clean voiceprint: over the line
    expect(judge(at(-80, 1))).toBe(false); // 0.71 with Anna heard in noise, 0.12 with her clean voiceprint
  });

  it('leaves other voices out of the group', () => {
    expect(
      gatherVoice([speech(2), speech(90), speech(-3), speech(180)], speech(0), policy.gathering, score),
    ).toEqual([0, 2]);
  });
});
