/** Someone who speaks in a network. Unnamed persons (created by the utterance pipeline) are labelled "Person {index}". */
export interface Person {
  id: string;
  networkId: string;
  /** Per-network number ("Person 3"), unique in the network, never reused after a delete. */
  index: number;
  name: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type PersonSort = 'index' | 'name' | 'created_at' | 'updated_at';
export type SortOrder = 'asc' | 'desc';

/** Figures other domains contribute to a person's response (counts live in their tables). */
export interface PersonStats {
  conversation_count: number;
  interaction_count: number;
  last_interaction_at: Date | null;
  voiceprint_samples: number;
  has_voiceprint: boolean;
  /** Voice samples exist only for another speaker model than the current one: enrol again to be recognised by it. */
  needs_reenrolment: boolean;
}

/**
 * Which figures a response needs: 'basic' (v1: conversation_count and the voiceprint figures) or 'full'
 * (v2: also interaction_count and last_interaction_at, which cost a count over the person's interactions).
 */
export type PersonStatsLevel = 'basic' | 'full';

export const BASIC_PERSON_STATS: ReadonlyArray<keyof PersonStats> = [
  'conversation_count',
  'voiceprint_samples',
  'has_voiceprint',
  'needs_reenrolment',
];

export interface PersonRecord {
  person: Person;
  stats: PersonStats;
}
