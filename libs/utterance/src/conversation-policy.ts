/**
 * Conversation grouping (the original Mira's boundary rule, minus its spaCy similarity test): a new conversation after a
 * silence gap, or after a shorter gap when the speaker changes. Pure; the service applies it.
 */
export interface GroupingPolicy {
  gapSeconds: number;
  speakerChangeGapSeconds: number;
}

export interface PreviousUtterance {
  occurredAt: Date;
  /** null = unknown speaker. */
  personId: string | null;
  conversationId: string;
}

export type GroupingDecision = { kind: 'continue'; conversationId: string } | { kind: 'new'; reason: string };

export function decideConversation(
  previous: PreviousUtterance | null,
  current: { occurredAt: Date; personId: string | null },
  policy: GroupingPolicy,
): GroupingDecision {
  if (!previous) return { kind: 'new', reason: 'no_active_conversation' };
  const gap = (current.occurredAt.getTime() - previous.occurredAt.getTime()) / 1000;
  if (gap > policy.gapSeconds) return { kind: 'new', reason: 'silence_gap' };
  // An unknown speaker is not evidence of a change: only two different known persons are.
  const speakerChanged =
    previous.personId !== null && current.personId !== null && previous.personId !== current.personId;
  if (speakerChanged && gap > policy.speakerChangeGapSeconds)
    return { kind: 'new', reason: 'speaker_change_gap' };
  return { kind: 'continue', conversationId: previous.conversationId };
}

/** Network settings `conversation_gap_seconds` / `conversation_speaker_change_gap_seconds` override the config. */
export function resolveGroupingPolicy(
  defaults: GroupingPolicy,
  networkSettings: Record<string, unknown>,
): GroupingPolicy {
  const pick = (key: string, fallback: number) => {
    const v = networkSettings[key];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const gapSeconds = pick('conversation_gap_seconds', defaults.gapSeconds);
  return {
    gapSeconds,
    speakerChangeGapSeconds: Math.min(
      gapSeconds,
      pick('conversation_speaker_change_gap_seconds', defaults.speakerChangeGapSeconds),
    ),
  };
}
