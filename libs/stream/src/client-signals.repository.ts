import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import type { QueryPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { StreamClientSignalsEntity } from './client-signals.entity.js';

/** The stream_client_signals table: the latest location and RSSI phones reported about each device. */
@Injectable()
export class ClientSignalsRepository {
  constructor(
    @InjectRepository(StreamClientSignalsEntity)
    private readonly signals: Repository<StreamClientSignalsEntity>,
  ) {}

  find(networkId: string, clientIds: string[], tx?: Tx): Promise<StreamClientSignalsEntity[]> {
    if (clientIds.length === 0) return Promise.resolve([]);
    const signals = Tx.manager(tx, this.signals.manager).getRepository(StreamClientSignalsEntity);
    return signals.find({ where: { networkId, clientId: In(clientIds) } });
  }

  saveLocation(
    networkId: string,
    clientId: string,
    location: { latitude: number; longitude: number; accuracy: number | null },
  ): Promise<StreamClientSignalsEntity> {
    return this.upsert(networkId, clientId, {
      latitude: location.latitude,
      longitude: location.longitude,
      accuracyM: location.accuracy,
      locationAt: () => 'now()',
    });
  }

  saveRssi(
    networkId: string,
    clientId: string,
    rssi: number,
    from: string,
  ): Promise<StreamClientSignalsEntity> {
    return this.upsert(networkId, clientId, { rssiDbm: rssi, rssiFrom: from, rssiAt: () => 'now()' });
  }

  /**
   * Creates the device's row or overwrites only the given columns (the other signal stays as reported), then reads
   * the row back in the same transaction.
   */
  private upsert(
    networkId: string,
    clientId: string,
    values: QueryPartialEntity<StreamClientSignalsEntity>,
  ): Promise<StreamClientSignalsEntity> {
    return this.signals.manager.transaction(async (tx) => {
      const signals = tx.getRepository(StreamClientSignalsEntity);
      const columns = Object.keys(values).map(
        (key) => signals.metadata.findColumnWithPropertyName(key)!.databaseName,
      );
      await signals
        .createQueryBuilder()
        .insert()
        .values({ ...values, networkId, clientId, updatedAt: () => 'now()' })
        .orUpdate([...columns, 'updated_at'], ['network_id', 'client_id'])
        .updateEntity(false)
        .execute();
      return signals.findOneOrFail({ where: { networkId, clientId } });
    });
  }
}
