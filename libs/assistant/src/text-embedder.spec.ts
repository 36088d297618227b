import { unitLength } from './text-embedder.js';

describe('unitLength', () => {
  it('scales a vector to length 1 and keeps its direction, so a dot product of two is their cosine', () => {
    const v = unitLength([3, 4]);
    expect(v[0]).toBeCloseTo(0.6, 12);
    expect(v[1]).toBeCloseTo(0.8, 12);
    const w = unitLength([0.5, -2, 7, 1e-3]);
    expect(Math.hypot(...w)).toBeCloseTo(1, 12);
  });

  it('leaves a zero vector alone instead of dividing by zero', () => {
    expect(unitLength([0, 0, 0])).toEqual([0, 0, 0]);
  });
});
