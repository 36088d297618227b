import { isStorableText, jsonObjectProblem } from './domain-validation.js';
import { pageEnvelope } from './pagination.js';

/** Bad input is a clear 422, never a 500 from the database (metadata bounds, unstorable text). */
describe('metadata bounds and storable text', () => {
  it('accepts plain JSON objects within the bounds', () => {
    expect(jsonObjectProblem({})).toBeNull();
    expect(jsonObjectProblem({ a: 1, b: { c: [1, 'x', null] } })).toBeNull();
    expect(
      jsonObjectProblem(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))),
    ).toBeNull();
  });

  it('rejects non-objects, too many keys, too many bytes and too deep nesting', () => {
    for (const value of [null, [], 'x', 3, true])
      expect(jsonObjectProblem(value)).toBe('must be a JSON object');
    expect(jsonObjectProblem(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])))).toMatch(
      /at most 50 keys/,
    );
    expect(jsonObjectProblem({ big: 'x'.repeat(16_400) })).toMatch(/at most 16384 bytes/);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 9; i += 1) deep = { d: deep };
    expect(jsonObjectProblem(deep)).toMatch(/nest deeper than 8/);
  });

  it('rejects what PostgreSQL cannot store: NUL and lone surrogates, in values and keys', () => {
    expect(isStorableText('plain text, émoji 🎙️')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\ud800')).toBe(false);
    expect(isStorableText('x\udc00')).toBe(false);
    expect(jsonObjectProblem({ a: 'b\u0000' })).toMatch(/NUL/);
    expect(jsonObjectProblem({ ['k\ud800']: 1 })).toMatch(/keys/);
    expect(jsonObjectProblem({ a: [{ b: '\udfff' }] })).toMatch(/NUL or lone surrogates/);
  });
});

describe('v2 list envelope', () => {
  it('gives next_offset until the last page', () => {
    expect(pageEnvelope([1, 2], 5, 2, 0)).toEqual({
      items: [1, 2],
      total: 5,
      limit: 2,
      offset: 0,
      next_offset: 2,
    });
    expect(pageEnvelope([5], 5, 2, 4).next_offset).toBeNull();
    expect(pageEnvelope([], 5, 2, 10).next_offset).toBeNull();
  });
});
