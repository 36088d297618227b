import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import { VoiceprintEntity } from './voiceprint.entity.js';

export type NewVoiceprint = Pick<
  VoiceprintEntity,
  | 'personId'
  | 'modelId'
  | 'dimension'
  | 'embeddingEncrypted'
  | 'noisyEmbeddingEncrypted'
  | 'speechSeconds'
  | 'source'
  | 'description'
  | 'sourceInteractionId'
>;

/** The only place that touches the voiceprints table. */
@Injectable()
export class VoiceprintRepository {
  constructor(
    @InjectRepository(VoiceprintEntity) private readonly voiceprints: Repository<VoiceprintEntity>,
  ) {}

  insert(networkId: string, values: NewVoiceprint): Promise<VoiceprintEntity> {
    return this.voiceprints.save(this.voiceprints.create({ ...values, networkId }));
  }

  listForPerson(networkId: string, personId: string): Promise<VoiceprintEntity[]> {
    return this.voiceprints.find({ where: { networkId, personId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Which samples of a model the network has, and whose: ids only, no vectors (read for every utterance). */
  listMembersForModel(networkId: string, modelId: string): Promise<Array<{ id: string; personId: string }>> {
    return this.voiceprints.find({
      select: { id: true, personId: true },
      where: { networkId, modelId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** The samples with these ids, within the network. */
  findByIds(networkId: string, ids: string[]): Promise<VoiceprintEntity[]> {
    return this.voiceprints.find({ where: { networkId, id: In(ids) } });
  }

  async delete(networkId: string, personId: string, id: string): Promise<boolean> {
    const result = await this.voiceprints.delete({ networkId, personId, id });
    return (result.affected ?? 0) > 0;
  }

  /** Keeps only the newest `keep` automatic samples of a person for a model. */
  async trimAutoSamples(networkId: string, personId: string, modelId: string, keep: number): Promise<number> {
    const rows = (await this.voiceprints.query(
      `DELETE FROM voiceprints WHERE id IN (
         SELECT id FROM voiceprints
         WHERE network_id = $1 AND person_id = $2 AND model_id = $3 AND source = 'auto'
         ORDER BY created_at DESC, id DESC OFFSET $4)
       RETURNING id`,
      [networkId, personId, modelId, keep],
    )) as [unknown[], number] | unknown[];
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }

  async deleteFromInteraction(networkId: string, interactionId: string): Promise<void> {
    await this.voiceprints.delete({ networkId, sourceInteractionId: interactionId, source: 'auto' });
  }

  /** Merge: the source person's samples now belong to the target (inside the merge transaction). */
  async reassign(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    await Tx.manager(tx).query(
      `UPDATE voiceprints SET person_id = $3 WHERE network_id = $1 AND person_id = $2`,
      [networkId, sourceId, targetId],
    );
  }

  /** Sample counts per person, optionally only for one model. */
  async countByPerson(
    networkId: string,
    personIds: string[],
    modelId?: string,
  ): Promise<Map<string, number>> {
    const rows = (await this.voiceprints.query(
      `SELECT person_id, count(*)::int AS n FROM voiceprints
       WHERE network_id = $1 AND person_id = ANY($2::uuid[]) AND ($3::text IS NULL OR model_id = $3)
       GROUP BY person_id`,
      [networkId, personIds, modelId ?? null],
    )) as { person_id: string; n: number }[];
    return new Map(rows.map((r) => [r.person_id, Number(r.n)]));
  }
}
