import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, LessThan, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import { StreamIngestEntity } from './stream-ingest.entity.js';

/** The stream_ingests table: markers of uploads being decoded right now, per network. */
@Injectable()
export class StreamIngestRepository {
  constructor(
    @InjectRepository(StreamIngestEntity) private readonly ingests: Repository<StreamIngestEntity>,
  ) {}

  /** Marks an upload as being decoded (committed at once, so other instances' arbitration can see it). */
  async begin(networkId: string, startedAt: Date): Promise<string> {
    const result = await this.ingests
      .createQueryBuilder()
      .insert()
      .values({ networkId, startedAt })
      .returning('id')
      .updateEntity(false)
      .execute();
    return (result.raw as { id: string }[])[0]!.id;
  }

  async end(networkId: string, id: string, tx?: Tx): Promise<void> {
    await Tx.manager(tx, this.ingests.manager).getRepository(StreamIngestEntity).delete({ networkId, id });
  }

  /** Forgets markers of uploads that died (process crash) long ago. */
  async purgeStale(networkId: string, before: Date): Promise<void> {
    await this.ingests.delete({ networkId, startedAt: LessThan(before) });
  }

  /** Uploads received in [since, until] that are still being decoded. */
  count(networkId: string, since: Date, until: Date): Promise<number> {
    return this.ingests.count({ where: { networkId, startedAt: Between(since, until) } });
  }
}
