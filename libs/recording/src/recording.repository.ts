import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hasTombstone, leaveTombstone, Tx } from '@mira/core';
import { RecordingEntity, RecordingSegmentEntity } from './recording.entity.js';
import type { Recording, RecordingSegment, RecordingStatus } from './recording.types.js';

export type RecordingChanges = Partial<
  Pick<
    Recording,
    | 'status'
    | 'stage'
    | 'taskId'
    | 'format'
    | 'sourceBytes'
    | 'durationMs'
    | 'recordedAt'
    | 'conversationId'
    | 'speakers'
    | 'diarization'
    | 'metadata'
    | 'errorCode'
    | 'error'
    | 'processedAt'
  >
>;

export type NewSegment = Pick<RecordingSegment, 'index' | 'startMs' | 'endMs' | 'speakerLabel'>;

/** An upload whose bytes never finished arriving (the instance died mid-upload) is removed after this long. */
const STALE_RECEIVING_HOURS = 24;

/** The only SQL of recordings and their segments (their audio: RecordingAudioRepository). */
@Injectable()
export class RecordingRepository {
  constructor(
    @InjectRepository(RecordingEntity) private readonly recordings: Repository<RecordingEntity>,
    @InjectRepository(RecordingSegmentEntity) private readonly segments: Repository<RecordingSegmentEntity>,
  ) {}

  async createReceiving(
    networkId: string,
    values: Pick<Recording, 'uploadedBy' | 'filename' | 'contentType' | 'recordedAt'>,
  ): Promise<string> {
    const row = await this.recordings.save(
      this.recordings.create({ ...values, networkId, status: 'receiving', stage: 'decode' }),
    );
    return row.id;
  }

  find(networkId: string, id: string): Promise<RecordingEntity | null> {
    return this.recordings.findOne({ where: { networkId, id } });
  }

  async list(
    networkId: string,
    page: { limit: number; offset: number },
  ): Promise<{ rows: Recording[]; total: number }> {
    const [rows, total] = await this.recordings.findAndCount({
      where: { networkId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { rows, total };
  }

  /**
   * Applies the changes when the recording is in one of `from` (all statuses when omitted); null when it is not (or
   * is gone).
   */
  async update(
    networkId: string,
    id: string,
    changes: RecordingChanges,
    options: { from?: RecordingStatus[]; tx?: Tx } = {},
  ): Promise<RecordingEntity | null> {
    const manager = Tx.manager(options.tx, this.recordings.manager);
    const query = manager
      .createQueryBuilder()
      .update(RecordingEntity)
      .set(changes as Record<string, unknown>)
      .where('network_id = :networkId AND id = :id', { networkId, id });
    if (options.from) query.andWhere('status IN (:...from)', { from: options.from });
    const result = await query.returning('*').execute();
    const raw = (result.raw as Record<string, unknown>[])[0];
    if (!raw) return null;
    return manager.getRepository(RecordingEntity).findOne({ where: { networkId, id } });
  }

  /**
   * Deletes (segments and audio go by cascade) and, unless it is a refused upload being discarded, leaves a
   * tombstone; false when there was nothing to delete.
   */
  async delete(tx: Tx, networkId: string, id: string, tombstone = true): Promise<boolean> {
    const manager = Tx.manager(tx);
    const [rows] = (await manager.query(
      `DELETE FROM recordings WHERE network_id = $1 AND id = $2 RETURNING id`,
      [networkId, id],
    )) as [unknown[], number];
    if (rows.length === 0) return false;
    if (tombstone) await leaveTombstone(manager, networkId, 'recording', id);
    return true;
  }

  wasDeleted(networkId: string, id: string): Promise<boolean> {
    return hasTombstone(this.recordings, networkId, 'recording', id);
  }

  /** Recordings made before `cutoff` (retention), and uploads that never finished arriving; returns how many went. */
  async purgeBefore(networkId: string, cutoff: Date): Promise<number> {
    const [, count] = (await this.recordings.query(
      `DELETE FROM recordings WHERE network_id = $1
         AND (created_at < $2 OR (status = 'receiving' AND created_at < now() - $3::int * interval '1 hour'))`,
      [networkId, cutoff, STALE_RECEIVING_HOURS],
    )) as [unknown, number];
    return count;
  }

  // --- segments ---------------------------------------------------------------------------------------------------

  /** Inserts the recording's turns; those already there (a resumed run) are left as they are. */
  async insertSegments(
    tx: Tx,
    networkId: string,
    recordingId: string,
    segments: NewSegment[],
  ): Promise<void> {
    const manager = Tx.manager(tx);
    for (let at = 0; at < segments.length; at += 500) {
      const batch = segments.slice(at, at + 500);
      const values = batch.map(
        (_, i) => `($1, $2, $${3 + i * 4}, $${4 + i * 4}, $${5 + i * 4}, $${6 + i * 4})`,
      );
      await manager.query(
        `INSERT INTO recording_segments (network_id, recording_id, "index", start_ms, end_ms, speaker_label)
         VALUES ${values.join(', ')}
         ON CONFLICT (network_id, recording_id, "index") DO NOTHING`,
        [networkId, recordingId, ...batch.flatMap((s) => [s.index, s.startMs, s.endMs, s.speakerLabel])],
      );
    }
  }

  segmentsOf(networkId: string, recordingId: string): Promise<RecordingSegmentEntity[]> {
    return this.segments.find({ where: { networkId, recordingId }, order: { index: 'ASC' } });
  }

  /** Segment counts per recording (done and all), for lists. */
  async segmentCounts(
    networkId: string,
    ids: string[],
  ): Promise<Map<string, { done: number; total: number }>> {
    if (ids.length === 0) return new Map();
    const rows = (await this.segments.query(
      `SELECT recording_id, count(*)::int AS total, count(*) FILTER (WHERE status = 'done')::int AS done
       FROM recording_segments WHERE network_id = $1 AND recording_id = ANY($2::uuid[]) GROUP BY recording_id`,
      [networkId, ids],
    )) as { recording_id: string; total: number; done: number }[];
    return new Map(rows.map((r) => [r.recording_id, { done: r.done, total: r.total }]));
  }

  async completeSegment(
    networkId: string,
    recordingId: string,
    index: number,
    values: Pick<
      RecordingSegment,
      'personId' | 'text' | 'transcriptionStatus' | 'confidence' | 'interactionId'
    >,
  ): Promise<void> {
    await this.segments.update({ networkId, recordingId, index }, { ...values, status: 'done' });
  }

  /**
   * A voice that became a person part-way through (gathered): its turns done so far without a person now name it.
   * Answers the interactions of those turns.
   */
  async nameVoice(
    networkId: string,
    recordingId: string,
    label: string,
    personId: string,
  ): Promise<string[]> {
    const [rows] = (await this.segments.query(
      `UPDATE recording_segments SET person_id = $4
       WHERE network_id = $1 AND recording_id = $2 AND speaker_label = $3 AND person_id IS NULL AND status = 'done'
       RETURNING interaction_id`,
      [networkId, recordingId, label, personId],
    )) as [Array<{ interaction_id: string | null }>, number];
    return rows.map((r) => r.interaction_id).filter((id): id is string => id !== null);
  }

  /**
   * Merge (targetId) or deletion (null): the person's turns and voices now name the target, or nobody (inside the
   * person's transaction).
   */
  async reassignPerson(tx: Tx, networkId: string, sourceId: string, targetId: string | null): Promise<void> {
    const manager = Tx.manager(tx);
    await manager.query(
      `UPDATE recording_segments SET person_id = $3 WHERE network_id = $1 AND person_id = $2`,
      [networkId, sourceId, targetId],
    );
    await manager.query(
      `UPDATE recordings SET speakers = (
         SELECT coalesce(jsonb_agg(CASE WHEN v->>'personId' = $2::text
                                        THEN jsonb_set(v, '{personId}', to_jsonb($3::uuid)) ELSE v END), '[]')
         FROM jsonb_array_elements(speakers) v)
       WHERE network_id = $1 AND speakers @> jsonb_build_array(jsonb_build_object('personId', $2::text))`,
      [networkId, sourceId, targetId],
    );
  }
}
