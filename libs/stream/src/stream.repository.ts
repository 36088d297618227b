import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import type { PhoneReports } from './arbitration.policy.js';
import type { FloorRow } from './stream-floor.repository.js';
import { StreamEntity } from './stream.entity.js';
import type { Stream } from './stream.types.js';

/** The streams table: one row per device stream of a network. Every statement is scoped by network_id. */
@Injectable()
export class StreamRepository {
  constructor(@InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>) {}

  find(networkId: string, streamId: string): Promise<StreamEntity | null> {
    return this.streams.findOne({ where: { networkId, streamId } });
  }

  /** The network's streams by stream id (at most 1000: a network has a handful of devices). */
  list(networkId: string): Promise<StreamEntity[]> {
    return this.streams.find({ where: { networkId }, order: { streamId: 'ASC' }, take: 1000 });
  }

  findByRowIds(networkId: string, ids: string[]): Promise<StreamEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.streams.find({ where: { networkId, id: In(ids) } });
  }

  /**
   * What storing a chunk needs, in one statement: the stream's row locked for the rest of the transaction (null when
   * the stream has no row yet: `create`, then ask again), the phone reports on the uploading device, and the
   * network's floor with its holder's stream id (for the answer).
   */
  async lockForChunk(
    tx: Tx,
    networkId: string,
    streamId: string,
    clientId: string,
  ): Promise<LockedStream | null> {
    const rows = (await Tx.manager(tx).query(
      `SELECT s.id, s.client_id, s.clock_offset_ms, s.last_received_at, s.last_seq::float8 AS last_seq,
              sig.accuracy_m, sig.location_at, sig.rssi_dbm, sig.rssi_at, sig.client_id AS signals_client_id,
              f.holder_stream_row_id, f.holder_since, f.last_until, h.stream_id AS holder_stream_id
         FROM streams s
         LEFT JOIN stream_client_signals sig ON sig.network_id = s.network_id AND sig.client_id = $3
         LEFT JOIN stream_floors f ON f.network_id = s.network_id
         LEFT JOIN streams h ON h.network_id = f.network_id AND h.id = f.holder_stream_row_id
        WHERE s.network_id = $1 AND s.stream_id = $2
          FOR UPDATE OF s`,
      [networkId, streamId, clientId],
    )) as LockedStreamRow[];
    const row = rows[0];
    if (!row) return null;
    return {
      stream: {
        networkId,
        id: row.id,
        clientId: row.client_id,
        clockOffsetMs: row.clock_offset_ms,
        lastReceivedAt: row.last_received_at,
        lastSeq: row.last_seq,
      },
      reports:
        row.signals_client_id === null
          ? null
          : {
              accuracyM: row.accuracy_m,
              locationAt: row.location_at,
              rssiDbm: row.rssi_dbm,
              rssiAt: row.rssi_at,
            },
      floor: {
        networkId,
        holderStreamRowId: row.holder_stream_row_id,
        holderSince: row.holder_since,
        lastUntil: row.last_until,
      },
      holder:
        row.holder_stream_row_id === null || row.holder_stream_id === null
          ? null
          : { id: row.holder_stream_row_id, streamId: row.holder_stream_id },
    };
  }

  /** The stream's row for a first chunk (a concurrent first chunk may have made it already). */
  async create(tx: Tx, networkId: string, streamId: string, clientId: string): Promise<void> {
    await Tx.manager(tx).query(
      `INSERT INTO streams (network_id, stream_id, client_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [networkId, streamId, clientId],
    );
  }
}

/** A stream as a chunk's storage reads it under its row lock. */
export interface LockedStream {
  stream: Pick<
    StreamEntity,
    'networkId' | 'id' | 'clientId' | 'clockOffsetMs' | 'lastReceivedAt' | 'lastSeq'
  >;
  reports: PhoneReports | null;
  floor: FloorRow;
  holder: Pick<Stream, 'id' | 'streamId'> | null;
}

interface LockedStreamRow {
  id: string;
  client_id: string;
  clock_offset_ms: number | null;
  last_received_at: Date | null;
  last_seq: number | null;
  accuracy_m: number | null;
  location_at: Date | null;
  rssi_dbm: number | null;
  rssi_at: Date | null;
  signals_client_id: string | null;
  holder_stream_row_id: string | null;
  holder_since: Date | null;
  last_until: Date | null;
  holder_stream_id: string | null;
}
