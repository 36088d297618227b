import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type {
  Person,
  PersonDeletionHook,
  PersonMergeHook,
  PersonStats,
  PersonStatsProvider,
} from '@mira/person';
import { ConversationRepository } from './conversation.repository.js';

/** Conversations follow their persons: counted per person, left on delete, taken over on merge. */
@Injectable()
export class ConversationPersonHooks implements PersonStatsProvider, PersonDeletionHook, PersonMergeHook {
  readonly personStatsFields: ReadonlyArray<keyof PersonStats> = ['conversation_count'];

  constructor(private readonly repository: ConversationRepository) {}

  async personStats(networkId: string, personIds: string[]): Promise<Map<string, Partial<PersonStats>>> {
    const counts = await this.repository.countByPerson(networkId, personIds);
    return new Map([...counts].map(([id, n]) => [id, { conversation_count: n }]));
  }

  beforePersonDeleted(tx: Tx, person: Person): Promise<void> {
    return this.repository.removePersonEverywhere(tx, person.networkId, person.id);
  }

  movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    return this.repository.replaceParticipant(tx, networkId, sourceId, targetId);
  }
}
