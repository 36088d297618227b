import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type {
  Person,
  PersonDeletionHook,
  PersonMergeHook,
  PersonStats,
  PersonStatsProvider,
} from '@mira/person';
import { InteractionRepository } from './interaction.repository.js';

/**
 * Interactions follow their persons: counted per person; kept, unattributed, when the person is deleted; moved to
 * the target of a merge.
 */
@Injectable()
export class InteractionPersonHooks implements PersonStatsProvider, PersonDeletionHook, PersonMergeHook {
  readonly personStatsFields: ReadonlyArray<keyof PersonStats> = ['interaction_count', 'last_interaction_at'];

  constructor(private readonly repository: InteractionRepository) {}

  async personStats(networkId: string, personIds: string[]): Promise<Map<string, Partial<PersonStats>>> {
    const stats = await this.repository.statsBy('person_id', networkId, personIds);
    return new Map(
      [...stats].map(([id, s]) => [id, { interaction_count: s.count, last_interaction_at: s.last }]),
    );
  }

  beforePersonDeleted(tx: Tx, person: Person): Promise<void> {
    return this.repository.detachPerson(tx, person.networkId, person);
  }

  movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    return this.repository.reassignPerson(tx, networkId, sourceId, targetId);
  }
}
