import { decideConversation, resolveGroupingPolicy } from './conversation-policy.js';

const policy = { gapSeconds: 300, speakerChangeGapSeconds: 150 };
const t0 = new Date('2026-11-22T10:00:00Z');
const after = (s: number) => new Date(t0.getTime() + s * 1000);
const prev = (personId: string | null) => ({ occurredAt: t0, personId, conversationId: 'c1' });

/** Interactions grouped into conversations (silence gap, speaker change). */
describe('conversation grouping policy', () => {
  it('starts the first conversation', () => {
    expect(decideConversation(null, { occurredAt: t0, personId: 'a' }, policy)).toEqual({
      kind: 'new',
      reason: 'no_active_conversation',
    });
  });

  it('continues within the gap for the same speaker, splits after the silence gap', () => {
    expect(decideConversation(prev('a'), { occurredAt: after(299), personId: 'a' }, policy).kind).toBe(
      'continue',
    );
    expect(decideConversation(prev('a'), { occurredAt: after(301), personId: 'a' }, policy)).toEqual({
      kind: 'new',
      reason: 'silence_gap',
    });
  });

  it('splits after the shorter gap only when the speaker changes (unknown is not a change)', () => {
    expect(decideConversation(prev('a'), { occurredAt: after(151), personId: 'b' }, policy)).toEqual({
      kind: 'new',
      reason: 'speaker_change_gap',
    });
    expect(decideConversation(prev('a'), { occurredAt: after(149), personId: 'b' }, policy).kind).toBe(
      'continue',
    );
    expect(decideConversation(prev('a'), { occurredAt: after(200), personId: null }, policy).kind).toBe(
      'continue',
    );
  });

  it('takes per-network overrides and keeps the short gap within the long one', () => {
    expect(
      resolveGroupingPolicy(policy, {
        conversation_gap_seconds: 60,
        conversation_speaker_change_gap_seconds: 90,
      }),
    ).toEqual({
      gapSeconds: 60,
      speakerChangeGapSeconds: 60,
    });
    expect(resolveGroupingPolicy(policy, { conversation_gap_seconds: -5 })).toEqual(policy);
  });
});
