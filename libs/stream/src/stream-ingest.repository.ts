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

  /**
   * Marks an upload as being decoded (committed at once, so other instances' arbitration can see it), in the same
   * statement that looks for a chunk it would retry: one of the device's with its Idempotency-Key, or of its stream
   * with its seq. Such a retry gets no marker (`null`: the caller answers it from the stored chunk).
   */
  async beginUnlessStored(
    networkId: string,
    startedAt: Date,
    retry: { clientId: string; streamId: string; seq: number | null; idempotencyKey: string | null },
  ): Promise<string | null> {
    const rows = (await this.ingests.query(
      `WITH prior AS (
         SELECT EXISTS (SELECT 1 FROM stream_chunks
                         WHERE network_id = $1 AND client_id = $3 AND idempotency_key = $5::text)
             OR EXISTS (SELECT 1 FROM stream_chunks
                         WHERE network_id = $1 AND seq = $6::bigint
                           AND stream_row_id = (SELECT id FROM streams WHERE network_id = $1 AND stream_id = $4))
                AS stored
       ), marker AS (
         INSERT INTO stream_ingests (network_id, started_at) SELECT $1, $2 FROM prior WHERE NOT prior.stored
         RETURNING id
       )
       SELECT (SELECT id FROM marker) AS id`,
      [networkId, startedAt, retry.clientId, retry.streamId, retry.idempotencyKey, retry.seq],
    )) as { id: string | null }[];
    return rows[0]?.id ?? null;
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
