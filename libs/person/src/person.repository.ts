import { Injectable } from '@nestjs/common';
import { leaveTombstone, hasTombstone, Tx } from '@mira/core';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { PersonEntity } from './person.entity.js';
import type { PersonSort, SortOrder } from './person.types.js';

const SORT_COLUMNS: Record<PersonSort, keyof PersonEntity> = {
  index: 'index',
  name: 'name',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
};

/** The only place that touches the persons and person_counters tables (and persons' tombstones). */
@Injectable()
export class PersonRepository {
  constructor(
    @InjectRepository(PersonEntity) private readonly persons: Repository<PersonEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Allocates the network's next "Person N" number and inserts the person in ONE statement: the counter row is
   * bumped with an upsert, which serialises concurrent creators on that row (PostgreSQL and PGlite alike).
   */
  async insert(
    networkId: string,
    name: string | null,
    metadata: Record<string, unknown>,
  ): Promise<PersonEntity> {
    const rows = (await this.persons.query(
      `WITH counter AS (
         INSERT INTO person_counters (network_id, last_index) VALUES ($1, 1)
         ON CONFLICT (network_id) DO UPDATE SET last_index = person_counters.last_index + 1
         RETURNING last_index
       )
       INSERT INTO persons (network_id, "index", name, metadata)
       SELECT $1, last_index, $2, $3::jsonb FROM counter RETURNING id`,
      [networkId, name, JSON.stringify(metadata)],
    )) as { id: string }[];
    return (await this.find(networkId, rows[0]!.id))!;
  }

  find(networkId: string, id: string): Promise<PersonEntity | null> {
    return this.persons.findOne({ where: { networkId, id } });
  }

  /** Which of these ids are persons of the network. */
  async existing(networkId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.persons.find({ select: { id: true }, where: { networkId, id: In(ids) } });
    return new Set(rows.map((r) => r.id));
  }

  findMany(networkId: string, ids: string[]): Promise<PersonEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.persons.find({ where: { networkId, id: In(ids) } });
  }

  async list(
    networkId: string,
    page: { limit: number; offset: number; sort: PersonSort; order: SortOrder },
    withTotal: boolean,
  ): Promise<{ rows: PersonEntity[]; total: number | null }> {
    const direction = page.order === 'asc' ? 'ASC' : 'DESC';
    const order = { [SORT_COLUMNS[page.sort]]: direction, id: direction } as Record<string, 'ASC' | 'DESC'>;
    const [rows, total] = await Promise.all([
      this.persons.find({ where: { networkId }, order, take: page.limit, skip: page.offset }),
      withTotal ? this.persons.count({ where: { networkId } }) : Promise.resolve(null),
    ]);
    return { rows, total };
  }

  async update(
    networkId: string,
    id: string,
    changes: { name?: string | null; metadata?: Record<string, unknown> },
  ): Promise<PersonEntity | null> {
    const person = await this.find(networkId, id);
    if (!person) return null;
    if (changes.name === undefined && changes.metadata === undefined) return person;
    if (changes.name !== undefined) person.name = changes.name;
    if (changes.metadata !== undefined) person.metadata = changes.metadata;
    person.updatedAt = new Date();
    // save() on a row deleted meanwhile would re-insert it: update by key and re-read instead.
    const result = await this.persons
      .createQueryBuilder()
      .update(PersonEntity)
      .set({ name: person.name, metadata: () => ':metadata::jsonb', updatedAt: () => 'now()' })
      .setParameter('metadata', JSON.stringify(person.metadata))
      .where('network_id = :networkId AND id = :id', { networkId, id })
      .execute();
    if ((result.affected ?? 0) === 0) return null;
    return this.find(networkId, id);
  }

  /**
   * Deletes the person in one transaction: locks its row, lets the hooks re-attribute what refers to it (in the
   * same transaction), deletes it and leaves a tombstone. Null when it is not (or no longer) there.
   */
  delete(
    networkId: string,
    id: string,
    beforeDelete: (tx: Tx, person: PersonEntity) => Promise<void>,
  ): Promise<PersonEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const person = await manager.getRepository(PersonEntity).findOne({
        where: { networkId, id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!person) return null;
      await beforeDelete(Tx.of(manager), person);
      await manager.query(`DELETE FROM persons WHERE network_id = $1 AND id = $2`, [networkId, id]);
      await leaveTombstone(manager, networkId, 'person', id);
      return person;
    });
  }

  wasDeleted(networkId: string, id: string): Promise<boolean> {
    return hasTombstone(this.persons, networkId, 'person', id);
  }

  /**
   * Merge: locks both persons (in id order, so two opposite merges cannot deadlock), lets the hooks move what
   * refers to the source, deletes the source and leaves its tombstone, all in one transaction.
   * Null when either person is not (or no longer) there.
   */
  merge(
    networkId: string,
    targetId: string,
    sourceId: string,
    moveReferences: (tx: Tx) => Promise<void>,
  ): Promise<PersonEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await manager.getRepository(PersonEntity).find({
        where: { networkId, id: In([targetId, sourceId]) },
        order: { id: 'ASC' },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked.length !== 2) return null;
      await moveReferences(Tx.of(manager));
      await manager.query(`DELETE FROM persons WHERE network_id = $1 AND id = $2`, [networkId, sourceId]);
      await leaveTombstone(manager, networkId, 'person', sourceId);
      await manager.query(`UPDATE persons SET updated_at = now() WHERE network_id = $1 AND id = $2`, [
        networkId,
        targetId,
      ]);
      return locked.find((p) => p.id === targetId) ?? null;
    });
  }
}
