import type { EntityManager } from 'typeorm';
import type { PersonEntity } from './person.entity.js';

export type PersonSort = 'index' | 'name' | 'created_at' | 'updated_at';
export type SortOrder = 'asc' | 'desc';

/** Figures other domains contribute to a person's response (counts live in their tables). */
export interface PersonStats {
  conversation_count: number;
  interaction_count: number;
  last_interaction_at: Date | null;
  voiceprint_samples: number;
  has_voiceprint: boolean;
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
];

export type PersonStatsProvider = (
  networkId: string,
  personIds: string[],
) => Promise<Map<string, Partial<PersonStats>>>;

/**
 * Runs inside the person's delete transaction, before the row goes, with that transaction's manager.
 * Other domains use it to re-attribute what refers to the person (never issue queries outside `manager`).
 */
export type PersonDeletionHook = (manager: EntityManager, person: PersonEntity) => Promise<void>;

export interface PersonRecord {
  person: PersonEntity;
  stats: PersonStats;
}

/**
 * Runs inside a merge transaction (POST /persons/{target}/merge), with that transaction's manager: other domains
 * move what refers to `sourceId` over to `targetId` before the source person is deleted.
 */
export type PersonMergeHook = (
  manager: EntityManager,
  networkId: string,
  sourceId: string,
  targetId: string,
) => Promise<void>;
