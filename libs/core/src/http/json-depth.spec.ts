import { AppError } from '../errors/app-error.js';
import { jsonNestingDepth, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth.js';

describe('JSON nesting depth, read from the bytes before parsing', () => {
  const depth = (text: string) => jsonNestingDepth(Buffer.from(text));

  it('counts arrays and objects, not brackets inside strings or after escapes', () => {
    expect(depth('1')).toBe(0);
    expect(depth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(depth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(depth('{"a":"\\"[[[["}')).toBe(1);
    expect(depth('[[],[],[[]]]')).toBe(3);
  });

  it('refuses deeper than MAX_JSON_DEPTH with 400 MALFORMED_REQUEST, and stops counting there', () => {
    const deep = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonNestingDepth(deep, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
    const err = (() => {
      try {
        refuseDeepJson(null, null, deep);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect([(err as AppError).status, (err as AppError).code]).toEqual([400, 'MALFORMED_REQUEST']);
    expect(() =>
      refuseDeepJson(null, null, Buffer.from(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)),
    ).not.toThrow();
  });
});
