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

/** A sample as identification reads it for every utterance: whose it is and its source, never its vectors. */
export type VoiceprintMember = Pick<VoiceprintEntity, 'id' | 'personId' | 'source'>;

/** The only place that touches the voiceprints table. */
@Injectable()
export class VoiceprintRepository {
  constructor(
    @InjectRepository(VoiceprintEntity) private readonly voiceprints: Repository<VoiceprintEntity>,
  ) {}

  insert(networkId: string, values: NewVoiceprint, tx?: Tx): Promise<VoiceprintEntity> {
    const repo = tx ? Tx.manager(tx).getRepository(VoiceprintEntity) : this.voiceprints;
    return repo.save(repo.create({ ...values, networkId }));
  }

  listForPerson(networkId: string, personId: string): Promise<VoiceprintEntity[]> {
    return this.voiceprints.find({ where: { networkId, personId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Which samples of a model the network has, whose, and of which source: no vectors (read for every utterance). */
  listMembersForModel(networkId: string, modelId: string): Promise<VoiceprintMember[]> {
    return this.voiceprints.find({
      select: { id: true, personId: true, source: true },
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

  /** Sample counts per person and speaker model. */
  async countByPersonAndModel(
    networkId: string,
    personIds: string[],
  ): Promise<Map<string, Map<string, number>>> {
    const rows = (await this.voiceprints.query(
      `SELECT person_id, model_id, count(*)::int AS n FROM voiceprints
       WHERE network_id = $1 AND person_id = ANY($2::uuid[])
       GROUP BY person_id, model_id`,
      [networkId, personIds],
    )) as { person_id: string; model_id: string; n: number }[];
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const byModel = out.get(r.person_id) ?? new Map<string, number>();
      byModel.set(r.model_id, Number(r.n));
      out.set(r.person_id, byModel);
    }
    return out;
  }

  /**
   * Persons with samples of `modelId` but none of any model in `except` (those still awaiting re-enrolment), as
   * member rows (ids only).
   */
  listMembersAwaitingModel(networkId: string, modelId: string, except: string): Promise<VoiceprintMember[]> {
    return this.voiceprints.query(
      `SELECT id, person_id AS "personId", source FROM voiceprints v
       WHERE network_id = $1 AND model_id = $2
         AND NOT EXISTS (SELECT 1 FROM voiceprints c
                         WHERE c.network_id = $1 AND c.person_id = v.person_id AND c.model_id = $3)
       ORDER BY created_at, id`,
      [networkId, modelId, except],
    ) as Promise<VoiceprintMember[]>;
  }
}
