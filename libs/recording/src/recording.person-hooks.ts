import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type { Person, PersonDeletionHook, PersonMergeHook } from '@mira/person';
import { RecordingRepository } from './recording.repository.js';

/** A recording's turns and voices follow their person: to the merge target, or to nobody when it is deleted. */
@Injectable()
export class RecordingPersonHooks implements PersonMergeHook, PersonDeletionHook {
  constructor(private readonly repository: RecordingRepository) {}

  movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    return this.repository.reassignPerson(tx, networkId, sourceId, targetId);
  }

  beforePersonDeleted(tx: Tx, person: Person): Promise<void> {
    return this.repository.reassignPerson(tx, person.networkId, person.id, null);
  }
}
