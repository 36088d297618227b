import type { Tx } from '@mira/core';
import type { Person, PersonStats } from './person.types.js';

/*
 * What other domains do when persons change. A module that keeps data about persons provides these with
 * `provideHook(PersonDeletionHook, Impl)` (@mira/core) in its providers; PersonService runs every one provided.
 */

/** Figures another domain contributes to a person's response (conversation_count, interaction_count, ...). */
export abstract class PersonStatsProvider {
  /** Which figures this provider fills in, so that a response that needs none of them does not pay for its query. */
  abstract readonly personStatsFields: ReadonlyArray<keyof PersonStats>;
  abstract personStats(networkId: string, personIds: string[]): Promise<Map<string, Partial<PersonStats>>>;
}

/**
 * Runs inside the person's delete transaction, before the row goes: re-attribute what refers to the person, writing
 * only with `tx`.
 */
export abstract class PersonDeletionHook {
  abstract beforePersonDeleted(tx: Tx, person: Person): Promise<void>;
}

/**
 * Runs inside a merge transaction (POST /persons/{target}/merge): move what refers to `sourceId` over to `targetId`,
 * writing only with `tx`, before the source person is deleted.
 */
export abstract class PersonMergeHook {
  abstract movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void>;
}
