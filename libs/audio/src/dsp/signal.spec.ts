import { babble, looped, rms } from './signal.js';

describe('noise helpers (multi-condition enrolment)', () => {
  it('looped stretches a noise recording to a clip: repeated from its start, cut at the clip length', () => {
    const source = Float32Array.from([1, 2, 3]);
    expect([...looped(source, 8)]).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
    expect([...looped(source, 2)]).toEqual([1, 2]);
    expect(looped(source, 0)).toHaveLength(0);
    expect(() => looped(new Float32Array(0), 4)).toThrow('empty');
  });

  it('babble levels every voice to the same loudness before summing, looped to the clip', () => {
    const quiet = Float32Array.from([0.01, -0.01]);
    const loud = Float32Array.from([0.5, 0.5, -0.5]);
    const mix = babble([quiet, loud], 6);
    // each voice at unit RMS: quiet ±1, loud ±1
    [2, 0, 0, 0, 2, -2].forEach((v, i) => expect(mix[i]).toBeCloseTo(v, 5));
    expect(rms(babble([loud], 6))).toBeCloseTo(1, 6);
  });
});
