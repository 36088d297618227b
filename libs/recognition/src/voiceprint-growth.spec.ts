import { centroidOf } from '@mira/core';
import { judgeSpeaker, type UtteranceFacts } from './speaker-decision.js';
import type { PersonCentroid } from './speaker-policy.js';
import { autoSamplesKept, keptSamples } from './voiceprint-growth.js';
import { at, evidence, policy } from '../../../test/support/speaker-policy-fixtures.js';

const ben: PersonCentroid = { personId: 'ben', centroid: at(180), samples: 3 };

/** A person made by gathering: a voiceprint of the utterances they were gathered from, grown as the product grows it. */
class GatheredPerson {
  voiceprint: Array<{ source: 'auto'; embedding: Float32Array }>;
  constructor(degrees: number[]) {
    this.voiceprint = degrees.map((d) => ({ source: 'auto', embedding: at(d) }));
  }
  get centroid(): PersonCentroid {
    return {
      personId: 'gathered',
      centroid: centroidOf(this.voiceprint.map((s) => s.embedding)),
      samples: this.voiceprint.length,
      gathered: true,
    };
  }
  /** Decides an utterance; a name that may feed the voiceprint (`refine`) adds it, bounded. */
  hear(utterance: UtteranceFacts, degrees: number) {
    const judgement = judgeSpeaker(utterance, [evidence(at(degrees), [this.centroid, ben])]);
    if (judgement.decision.kind === 'match' && judgement.decision.refine) {
      this.voiceprint = keptSamples(
        [...this.voiceprint, { source: 'auto' as const, embedding: at(degrees) }],
        policy,
      );
    }
    return judgement;
  }
}

describe('a voiceprint grows with its confidently named speech, within a bound', () => {
  it('keeps every enrolment sample and the newest automatic ones; a gathered person keeps more of them', () => {
    const enrolment = [1, 2, 3].map((id) => ({ id, source: 'enrolment' as const }));
    const autos = [4, 5, 6, 7, 8].map((id) => ({ id, source: 'auto' as const }));
    expect(keptSamples([...enrolment, ...autos], policy).map((s) => s.id)).toEqual([1, 2, 3, 6, 7, 8]);
    expect(autoSamplesKept(policy, true)).toBe(3);
    // gathered: automatic samples only, up to the gathering's bound
    const gathered = Array.from({ length: 12 }, (_, i) => ({ id: i, source: 'auto' as const }));
    expect(autoSamplesKept(policy, false)).toBe(10);
    expect(keptSamples(gathered, policy).map((s) => s.id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // refinement off: nothing automatic is kept
    const off = { ...policy, autoSamplesMax: 0 };
    expect(autoSamplesKept(off, false)).toBe(0);
    expect(keptSamples([...enrolment, ...autos], off).map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it("names a gathered stranger's later utterance through the voiceprint grown from confident names", () => {
    const person = new GatheredPerson([60, 70, 80]);
    const later = { speechSeconds: 2, snrDb: 30 };
    // 2 s at 50° from the gathered voiceprint: P ≈ 0.90, not a name
    expect(person.hear(later, 20).decision).toMatchObject({ kind: 'unknown', suggestedPersonId: 'gathered' });
    // three confident names (3 s at 25° from it: P ≈ 0.9997, over the gathered person's line 0.999)
    for (let k = 0; k < 3; k++) {
      expect(person.hear({ speechSeconds: 3, snrDb: 30 }, 45).decision).toMatchObject({
        kind: 'match',
        personId: 'gathered',
        refine: true,
      });
    }
    expect(person.voiceprint).toHaveLength(6);
    expect(person.hear(later, 20).decision).toMatchObject({ kind: 'match', personId: 'gathered' });
  });

  it('never grows from a name given by context, heard in noise, or under the growth line', () => {
    const person = new GatheredPerson([60, 70, 80]);
    // named at P ≈ 0.997: a name, but not confident enough to feed the voiceprint
    expect(person.hear({ speechSeconds: 2, snrDb: 30 }, 35).decision).toMatchObject({
      kind: 'match',
      personId: 'gathered',
      refine: false,
    });
    // a short segment right after the same device named them: confident on its own (P ≈ 0.9994), but the turn
    // favoured them, so it does not feed the voiceprint
    const continued = person.hear(
      { speechSeconds: 2, snrDb: 30, context: { personId: 'gathered', gapSeconds: 1 } },
      45,
    );
    expect(continued.decision).toMatchObject({ kind: 'match', personId: 'gathered', refine: false });
    // noisy speech
    expect(person.hear({ speechSeconds: 4, snrDb: 3 }, 65).decision).toMatchObject({
      kind: 'match',
      refine: false,
    });
    expect(person.voiceprint).toHaveLength(3);
    // the same evidence that grows a gathered person leaves an enrolled person's voiceprint alone (their line is
    // stricter: the enrolment is a voiceprint already)
    const enrolled = { personId: 'anna', centroid: at(70), samples: 3 };
    expect(
      judgeSpeaker({ speechSeconds: 3, snrDb: 30 }, [evidence(at(45), [enrolled, ben])]).decision,
    ).toMatchObject({ kind: 'match', personId: 'anna', refine: false });
  });

  it("says whether the named person is known from gathered speech only: the growth's bound depends on it", () => {
    const person = new GatheredPerson([60, 70, 80]);
    expect(person.hear({ speechSeconds: 4, snrDb: 30 }, 70).decision).toMatchObject({
      kind: 'match',
      personId: 'gathered',
      gathered: true,
    });
    const anna = { personId: 'anna', centroid: at(70), samples: 3 };
    const named = judgeSpeaker({ speechSeconds: 4, snrDb: 30 }, [evidence(at(70), [anna, ben])]).decision;
    expect(named).toMatchObject({ kind: 'match', personId: 'anna' });
    expect(named).not.toHaveProperty('gathered');
  });
});
