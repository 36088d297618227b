import { extractiveMemories, parseMemories } from './memory-extractor.js';

const valid = {
  memory_type: 'plan',
  canonical_text: ' Alice will call the plumber on Monday. ',
  action_kind: 'remind',
  participants: ['Alice'],
  proposed_start_at: '2030-01-07T09:00:00Z',
  proposed_end_at: '',
  confidence: 0.8,
};

describe('parseMemories', () => {
  it('reads a conforming answer ("none" and "" mean null)', () => {
    expect(
      parseMemories({ memories: [valid, { ...valid, action_kind: 'none', proposed_start_at: '' }] }),
    ).toEqual([
      {
        memoryType: 'plan',
        canonicalText: 'Alice will call the plumber on Monday.',
        actionKind: 'remind',
        participants: ['Alice'],
        proposedStartAt: '2030-01-07T09:00:00Z',
        proposedEndAt: null,
        expiresAt: null,
        confidence: 0.8,
      },
      expect.objectContaining({ actionKind: null, proposedStartAt: null }),
    ]);
    expect(parseMemories({ memories: [] })).toEqual([]);
  });

  it.each([
    ['no list', {}],
    ['an unknown type', { memories: [{ ...valid, memory_type: 'gossip' }] }],
    ['empty text', { memories: [{ ...valid, canonical_text: '  ' }] }],
    ['confidence above 1', { memories: [{ ...valid, confidence: 1.5 }] }],
    ['a time that is no time', { memories: [{ ...valid, proposed_end_at: 'next week' }] }],
    ['participants that are not names', { memories: [{ ...valid, participants: [3] }] }],
  ])('rejects an answer with %s', (_, value) => {
    expect(parseMemories(value)).toBeNull();
  });
});

describe('extractiveMemories', () => {
  it('keeps the most representative lines as said, never a line of stop words only', () => {
    const result = extractiveMemories([
      { speaker: 'Alice', text: 'The garden party is on Saturday in the garden.' },
      { speaker: 'Bob', text: 'Okay, yes.' },
      { speaker: 'Bob', text: 'I will bring the garden chairs.' },
    ]);
    expect(result.engine).toBe('extractive');
    expect(result.memories.map((m) => m.canonicalText)).toEqual([
      'Alice: The garden party is on Saturday in the garden.',
      'Bob: I will bring the garden chairs.',
    ]);
    expect(result.memories[0]).toMatchObject({
      memoryType: 'fact',
      participants: ['Alice'],
      confidence: null,
    });
  });
});
