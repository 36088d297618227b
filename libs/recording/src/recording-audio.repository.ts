import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tx } from '@mira/core';

/**
 * What a recording's audio is stored as while it is processed: `source` (the uploaded bytes as they arrived),
 * `pcm` (16 kHz PCM16, fixed-length parts) and `analysis` (one part's speech regions, windows and embeddings).
 */
export type AudioPartKind = 'source' | 'pcm' | 'analysis';

export interface AudioPart {
  index: number;
  data: Buffer;
  meta: Record<string, unknown>;
}

/** The only SQL of recording_audio. Parts are written and read one at a time: a recording is never held whole. */
@Injectable()
export class RecordingAudioRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes one part (again: a resumed run overwrites what an interrupted one wrote). */
  async put(
    networkId: string,
    recordingId: string,
    kind: AudioPartKind,
    part: AudioPart,
    tx?: Tx,
  ): Promise<void> {
    await Tx.manager(tx, this.dataSource.manager).query(
      `INSERT INTO recording_audio (network_id, recording_id, kind, "index", data, meta)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (network_id, recording_id, kind, "index") DO UPDATE SET data = EXCLUDED.data, meta = EXCLUDED.meta`,
      [networkId, recordingId, kind, part.index, part.data, JSON.stringify(part.meta)],
    );
  }

  async get(
    networkId: string,
    recordingId: string,
    kind: AudioPartKind,
    index: number,
  ): Promise<AudioPart | null> {
    const rows = (await this.dataSource.query(
      `SELECT "index", data, meta FROM recording_audio
       WHERE network_id = $1 AND recording_id = $2 AND kind = $3 AND "index" = $4`,
      [networkId, recordingId, kind, index],
    )) as { index: number; data: Buffer; meta: Record<string, unknown> }[];
    const row = rows[0];
    return row ? { index: row.index, data: Buffer.from(row.data), meta: row.meta ?? {} } : null;
  }

  /** The parts of a kind, without their data: index, size and meta, in order. */
  async list(
    networkId: string,
    recordingId: string,
    kind: AudioPartKind,
  ): Promise<Array<{ index: number; bytes: number; meta: Record<string, unknown> }>> {
    const rows = (await this.dataSource.query(
      `SELECT "index", octet_length(data)::int AS bytes, meta FROM recording_audio
       WHERE network_id = $1 AND recording_id = $2 AND kind = $3 ORDER BY "index"`,
      [networkId, recordingId, kind],
    )) as { index: number; bytes: number; meta: Record<string, unknown> }[];
    return rows.map((r) => ({ index: r.index, bytes: r.bytes, meta: r.meta ?? {} }));
  }

  async drop(networkId: string, recordingId: string, kinds: AudioPartKind[], tx?: Tx): Promise<void> {
    await Tx.manager(tx, this.dataSource.manager).query(
      `DELETE FROM recording_audio WHERE network_id = $1 AND recording_id = $2 AND kind = ANY($3::text[])`,
      [networkId, recordingId, kinds],
    );
  }
}
