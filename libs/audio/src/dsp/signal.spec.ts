import { looped } from './signal.js';

describe('noise helpers (issue 9, multi-condition enrolment)', () => {
  it('looped stretches a noise recording to a clip: repeated from its start, cut at the clip length', () => {
    const source = Float32Array.from([1, 2, 3]);
    expect([...looped(source, 8)]).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
    expect([...looped(source, 2)]).toEqual([1, 2]);
    expect(looped(source, 0)).toHaveLength(0);
    expect(() => looped(new Float32Array(0), 4)).toThrow('empty');
  });
});
