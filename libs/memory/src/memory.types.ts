import type { MemoryActionKind, MemoryType } from '@mira/assistant';

export type MemoryStatus = 'active' | 'expired' | 'cancelled';

/** Where a memory came from (stored as `provenance`; ids and labels only). */
export interface MemoryProvenance {
  /** `conversation`: extracted when the conversation closed; `voice_command`: the store_memory tool. */
  source: 'conversation' | 'voice_command';
  /** `gemini`, or `extractive` (a transcript line kept as said, offline: no model wrote it). */
  engine: 'gemini' | 'extractive';
  model?: string;
  note?: string;
}

/** A status change, oldest first (stored as `transition_history`). */
export interface MemoryTransition {
  status: MemoryStatus;
  at: string;
  reason: string;
}

/** What the assistant remembers: one sentence, who it concerns, when it happens and when it stops mattering. */
export interface EpisodicMemory {
  id: string;
  networkId: string;
  sourceConversationId: string | null;
  sourceInteractionId: string | null;
  memoryType: MemoryType;
  status: MemoryStatus;
  canonicalText: string;
  actionKind: MemoryActionKind | null;
  participantPersonIds: string[];
  proposedStartAt: Date | null;
  proposedEndAt: Date | null;
  expiresAt: Date | null;
  confidence: number | null;
  provenance: MemoryProvenance;
  transitionHistory: MemoryTransition[];
  createdAt: Date;
  updatedAt: Date;
}

/** A memory to write; `dedupeKey` makes writing it again (a retried job or command) a no-op. */
export type NewMemory = Pick<
  EpisodicMemory,
  | 'sourceConversationId'
  | 'sourceInteractionId'
  | 'memoryType'
  | 'canonicalText'
  | 'actionKind'
  | 'participantPersonIds'
  | 'proposedStartAt'
  | 'proposedEndAt'
  | 'expiresAt'
  | 'confidence'
  | 'provenance'
> & { dedupeKey: string };
