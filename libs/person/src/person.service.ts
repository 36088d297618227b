import { Injectable } from '@nestjs/common';
import { AppLogger, HookRegistry, RealtimePublisher } from '@mira/core';
import { AuditService } from '@mira/audit';
import { PersonErrors } from './person.errors.js';
import { PersonDeletionHook, PersonMergeHook, PersonStatsProvider } from './person.hooks.js';
import { PersonRepository } from './person.repository.js';
import {
  BASIC_PERSON_STATS,
  type Person,
  type PersonRecord,
  type PersonSort,
  type PersonStats,
  type PersonStatsLevel,
  type SortOrder,
} from './person.types.js';

/**
 * Persons of a network. Callers have passed the access guard for {network_id}; every lookup is still scoped by
 * network, and another network's person answers exactly like a missing one (PERSON_NOT_FOUND, 404).
 */
@Injectable()
export class PersonService {
  constructor(
    private readonly repository: PersonRepository,
    private readonly hooks: HookRegistry,
    private readonly logger: AppLogger,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
  ) {}

  async create(
    networkId: string,
    input: { name?: string | null; metadata?: Record<string, unknown> },
    level: PersonStatsLevel = 'full',
  ): Promise<PersonRecord> {
    const person = await this.repository.insert(networkId, input.name ?? null, input.metadata ?? {});
    this.logger.info('person_created', { network_id: networkId, person_id: person.id, index: person.index });
    await this.realtime.publish(networkId, 'person', { id: person.id });
    return (await this.withStats(networkId, [person], level))[0]!;
  }

  /** For the utterance pipeline: a new unnamed speaker, labelled "Person {index}" until someone names it. */
  createUnnamed(networkId: string, metadata: Record<string, unknown> = {}): Promise<PersonRecord> {
    return this.create(networkId, { name: null, metadata });
  }

  async get(networkId: string, id: string, level: PersonStatsLevel = 'full'): Promise<PersonRecord> {
    const person = await this.repository.find(networkId, id);
    if (!person) throw PersonErrors.notFound();
    return (await this.withStats(networkId, [person], level))[0]!;
  }

  async list(
    networkId: string,
    page: { limit: number; offset: number; sort?: PersonSort; order?: SortOrder },
    withTotal = false,
    level: PersonStatsLevel = 'full',
  ): Promise<{ items: PersonRecord[]; total: number | null }> {
    const { rows, total } = await this.repository.list(
      networkId,
      { limit: page.limit, offset: page.offset, sort: page.sort ?? 'index', order: page.order ?? 'asc' },
      withTotal,
    );
    return { items: await this.withStats(networkId, rows, level), total };
  }

  async update(
    networkId: string,
    id: string,
    changes: { name?: string | null; metadata?: Record<string, unknown> },
    level: PersonStatsLevel = 'full',
  ): Promise<PersonRecord> {
    const person = await this.repository.update(networkId, id, changes);
    if (!person) throw PersonErrors.notFound();
    await this.realtime.publish(networkId, 'person', { id });
    return (await this.withStats(networkId, [person], level))[0]!;
  }

  /**
   * Deletes a person. Their interactions stay (person_id becomes null, metadata.deleted_person records who it
   * was) and they leave every participant list. Repeating the delete answers the same; an id that never
   * existed in this network is a 404.
   */
  async delete(networkId: string, id: string): Promise<void> {
    const deleted = await this.repository.delete(networkId, id, async (tx, person) => {
      for (const hook of this.hooks.all(PersonDeletionHook)) await hook.beforePersonDeleted(tx, person);
      // Its voiceprints go with it (foreign-key cascade); the deletion is audited in the same transaction.
      await this.audit.record({
        networkId,
        action: 'person.deleted',
        targetType: 'person',
        targetId: id,
        tx,
      });
    });
    if (deleted) {
      this.logger.info('person_deleted', { network_id: networkId, person_id: id });
      return;
    }
    if (!(await this.repository.wasDeleted(networkId, id))) throw PersonErrors.notFound();
  }

  /**
   * Folds `sourceId` into `targetId` in one transaction: every PersonMergeHook moves its domain's references
   * (voiceprints, interactions, conversation participants, actions), then the source person is deleted.
   */
  async merge(networkId: string, targetId: string, sourceId: string): Promise<PersonRecord> {
    if (targetId === sourceId) throw PersonErrors.mergeIntoItself();
    const merged = await this.repository.merge(networkId, targetId, sourceId, async (tx) => {
      for (const hook of this.hooks.all(PersonMergeHook)) {
        await hook.movePersonReferences(tx, networkId, sourceId, targetId);
      }
      await this.audit.record({
        networkId,
        action: 'person.merged',
        targetType: 'person',
        targetId,
        details: { source_person_id: sourceId },
        tx,
      });
    });
    if (!merged) {
      if (!(await this.repository.find(networkId, targetId))) throw PersonErrors.notFound();
      throw PersonErrors.notFound('source_person_id');
    }
    this.logger.info('person_merged', {
      network_id: networkId,
      person_id: targetId,
      source_person_id: sourceId,
    });
    await this.realtime.publish(networkId, 'person', { id: targetId });
    return this.get(networkId, targetId);
  }

  /** Throws PERSON_NOT_FOUND (naming the field) unless every id is a person of this network. */
  async requireExisting(networkId: string, ids: string[], field: string): Promise<void> {
    const unique = [...new Set(ids)];
    const found = await this.repository.existing(networkId, unique);
    if (found.size !== unique.length) throw PersonErrors.notFound(field);
  }

  /** Persons by id (unknown ids are left out); for responses that show participants. */
  findMany(networkId: string, ids: string[]): Promise<Person[]> {
    return this.repository.findMany(networkId, ids);
  }

  /**
   * The figures every PersonStatsProvider contributes (0 / null where none does: a network without a speaker model
   * has no voiceprint figures). Raw embeddings are never part of any response.
   */
  private async withStats(
    networkId: string,
    persons: Person[],
    level: PersonStatsLevel,
  ): Promise<PersonRecord[]> {
    const ids = persons.map((p) => p.id);
    const stats = new Map<string, PersonStats>(
      ids.map((id) => [
        id,
        {
          conversation_count: 0,
          interaction_count: 0,
          last_interaction_at: null,
          voiceprint_samples: 0,
          has_voiceprint: false,
          needs_reenrolment: false,
        },
      ]),
    );
    if (ids.length > 0) {
      const parts = await Promise.all(
        this.hooks
          .all(PersonStatsProvider)
          .filter((p) => level === 'full' || p.personStatsFields.some((f) => BASIC_PERSON_STATS.includes(f)))
          .map((p) => p.personStats(networkId, ids)),
      );
      for (const part of parts) {
        for (const [id, values] of part) Object.assign(stats.get(id) ?? {}, values);
      }
    }
    return persons.map((person) => ({ person, stats: stats.get(person.id)! }));
  }
}
