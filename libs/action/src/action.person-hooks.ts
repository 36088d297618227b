import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type { PersonMergeHook } from '@mira/person';
import { ActionRepository } from './action.repository.js';

/** A merged-away person's actions move to the person they were merged into. */
@Injectable()
export class ActionPersonHooks implements PersonMergeHook {
  constructor(private readonly repository: ActionRepository) {}

  movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    return this.repository.reassignPerson(tx, networkId, sourceId, targetId);
  }
}
