import { Injectable } from '@nestjs/common';
import { AppLogger } from '@mira/core';
import { AuditService } from '@mira/audit';
import { PersonEntity } from './person.entity.js';
import { PersonErrors } from './person.errors.js';
import { PersonRepository } from './person.repository.js';
import {
  BASIC_PERSON_STATS,
  type PersonDeletionHook,
  type PersonMergeHook,
  type PersonRecord,
  type PersonSort,
  type PersonStats,
  type PersonStatsLevel,
  type PersonStatsProvider,
  type SortOrder,
} from './person.types.js';

/**
 * Persons of a network. Callers have passed the access guard for {network_id}; every lookup is still scoped by
 * network, and another network's person answers exactly like a missing one (PERSON_NOT_FOUND, 404).
 */
@Injectable()
export class PersonService {
  private readonly statsProviders: Array<{
    provider: PersonStatsProvider;
    fields: Array<keyof PersonStats>;
  }> = [];
  private readonly deletionHooks: PersonDeletionHook[] = [];
  private readonly mergeHooks: PersonMergeHook[] = [];

  constructor(
    private readonly repository: PersonRepository,
    private readonly logger: AppLogger,
    private readonly audit: AuditService,
  ) {}

  /**
   * Other domains add figures (conversation_count, interaction_count, ...) without this one knowing them;
   * `fields` says which, so a response that needs none of them does not pay for the query.
   */
  registerStatsProvider(provider: PersonStatsProvider, fields: Array<keyof PersonStats>): void {
    this.statsProviders.push({ provider, fields });
  }

  /** Other domains re-attribute what refers to a person inside its delete transaction. */
  registerDeletionHook(hook: PersonDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  async create(
    networkId: string,
    input: { name?: string | null; metadata?: Record<string, unknown> },
    level: PersonStatsLevel = 'full',
  ): Promise<PersonRecord> {
    const person = await this.repository.insert(networkId, input.name ?? null, input.metadata ?? {});
    this.logger.info('person_created', { network_id: networkId, person_id: person.id, index: person.index });
    return (await this.withStats(networkId, [person], level))[0]!;
  }

  /** For the pipeline: a new unnamed speaker, labelled "Person {index}" until someone names it. */
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
    return (await this.withStats(networkId, [person], level))[0]!;
  }

  /**
   * Deletes a person. Their interactions stay (person_id becomes null, metadata.deleted_person records who it
   * was) and they leave every participant list. Repeating the delete answers the same; an id that never
   * existed in this network is a 404.
   */
  async delete(networkId: string, id: string): Promise<void> {
    const deleted = await this.repository.delete(networkId, id, async (manager, person) => {
      for (const hook of this.deletionHooks) await hook(manager, person);
      // Its voiceprints go with it (foreign-key cascade); the deletion is audited in the same transaction.
      await this.audit.record({
        networkId,
        action: 'person.deleted',
        targetType: 'person',
        targetId: id,
        manager,
      });
    });
    if (deleted) {
      this.logger.info('person_deleted', { network_id: networkId, person_id: id });
      return;
    }
    if (!(await this.repository.wasDeleted(networkId, id))) throw PersonErrors.notFound();
  }

  /** Other domains move what refers to a merged-away person inside the merge transaction. */
  registerMergeHook(hook: PersonMergeHook): void {
    this.mergeHooks.push(hook);
  }

  /**
   * Folds `sourceId` into `targetId` in one transaction: every registered domain moves its references
   * (voiceprints, interactions, conversation participants, actions), then the source person is deleted.
   */
  async merge(networkId: string, targetId: string, sourceId: string): Promise<PersonRecord> {
    if (targetId === sourceId) throw PersonErrors.mergeIntoItself();
    const merged = await this.repository.merge(networkId, targetId, sourceId, async (manager) => {
      for (const hook of this.mergeHooks) await hook(manager, networkId, sourceId, targetId);
      await this.audit.record({
        networkId,
        action: 'person.merged',
        targetType: 'person',
        targetId,
        details: { source_person_id: sourceId },
        manager,
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
    return this.get(networkId, targetId);
  }

  /** Throws PERSON_NOT_FOUND (naming the field) unless every id is a person of this network. */
  async requireExisting(networkId: string, ids: string[], field: string): Promise<void> {
    const unique = [...new Set(ids)];
    const found = await this.repository.existing(networkId, unique);
    if (found.size !== unique.length) throw PersonErrors.notFound(field);
  }

  /** Persons by id (unknown ids are left out); for responses that show participants. */
  findMany(networkId: string, ids: string[]): Promise<PersonEntity[]> {
    return this.repository.findMany(networkId, ids);
  }

  /**
   * Voiceprint figures per person: 0 here; the recognition module (libs/recognition) registers a stats provider
   * that replaces both fields with the real sample counts of the current speaker model. Raw embeddings are never
   * part of any response.
   */
  async voiceprintSummary(
    _networkId: string,
    personIds: string[],
  ): Promise<Map<string, { voiceprint_samples: number; has_voiceprint: boolean }>> {
    return new Map(personIds.map((id) => [id, { voiceprint_samples: 0, has_voiceprint: false }]));
  }

  private async withStats(
    networkId: string,
    persons: PersonEntity[],
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
        },
      ]),
    );
    if (ids.length > 0) {
      const [voice, ...parts] = await Promise.all([
        this.voiceprintSummary(networkId, ids),
        ...this.statsProviders
          .filter(({ fields }) => level === 'full' || fields.some((f) => BASIC_PERSON_STATS.includes(f)))
          .map(({ provider }) => provider(networkId, ids)),
      ]);
      for (const part of [voice, ...parts]) {
        for (const [id, values] of part) Object.assign(stats.get(id) ?? {}, values);
      }
    }
    return persons.map((person) => ({ person, stats: stats.get(person.id)! }));
  }
}
