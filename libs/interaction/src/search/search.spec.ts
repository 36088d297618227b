import { fuseRankings } from './rank-fusion.js';
import { MATCH_END, MATCH_START, parseHeadline, searchLanguageOf } from './search-text.js';

describe('search helpers', () => {
  it('turns a marked ts_headline passage into plain text and match offsets', () => {
    const marked = `a long ${MATCH_START}walk${MATCH_END} after ${MATCH_START}walking${MATCH_END}`;
    expect(parseHeadline(marked)).toEqual({
      text: 'a long walk after walking',
      matches: [
        { start: 7, end: 11 },
        { start: 18, end: 25 },
      ],
    });
    // offsets count UTF-16 code units, like JavaScript string indices
    const emoji = parseHeadline(`😀 ${MATCH_START}é${MATCH_END}`);
    expect(emoji.text.slice(emoji.matches[0]!.start, emoji.matches[0]!.end)).toBe('é');
    // an unopened end mark or an empty match adds nothing
    expect(parseHeadline(`x${MATCH_END}y${MATCH_START}${MATCH_END}`)).toEqual({ text: 'xy', matches: [] });
  });

  it("takes the network's language as a two-letter code, English otherwise", () => {
    expect(searchLanguageOf({ language: 'FR' })).toBe('fr');
    expect(searchLanguageOf({ language: 'french' })).toBe('en');
    expect(searchLanguageOf({ language: 7 })).toBe('en');
    expect(searchLanguageOf(null)).toBe('en');
  });

  it('fuses rankings by reciprocal rank: found by both beats first in one; b and d tie (both second) and keep the order they were seen in', () => {
    const fused = fuseRankings(
      [
        { source: 'text', ids: ['a', 'b', 'c'] },
        { source: 'semantic', ids: ['c', 'd'] },
      ],
      10,
    );
    expect(fused.map((h) => h.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(fused[0]!.matchedBy).toEqual(['text', 'semantic']);
    expect(fused[0]!.score).toBeCloseTo(1 / 63 + 1 / 61, 10);
    expect(fused[1]).toEqual({ id: 'a', score: 1 / 61, matchedBy: ['text'] });
    expect(fuseRankings([{ source: 'text', ids: ['a', 'b'] }], 1).map((h) => h.id)).toEqual(['a']);
  });
});
