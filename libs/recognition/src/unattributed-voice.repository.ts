import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { Tx } from '@mira/core';
import { UnattributedVoiceEntity } from './unattributed-voice.entity.js';

export type NewUnattributedVoice = Pick<
  UnattributedVoiceEntity,
  'modelId' | 'dimension' | 'embeddingEncrypted' | 'speechSeconds' | 'interactionId'
>;

/** The only place that touches the unattributed_voices table. */
@Injectable()
export class UnattributedVoiceRepository {
  constructor(
    @InjectRepository(UnattributedVoiceEntity) private readonly voices: Repository<UnattributedVoiceEntity>,
  ) {}

  private repo(tx: Tx): Repository<UnattributedVoiceEntity> {
    return Tx.manager(tx).getRepository(UnattributedVoiceEntity);
  }

  /** Holds the network's gathering until the transaction ends (one instance gathers a network at a time). */
  async lockNetwork(tx: Tx, networkId: string): Promise<void> {
    await Tx.manager(tx).query(`SELECT pg_advisory_xact_lock(hashtext('voice-gathering:' || $1::text))`, [
      networkId,
    ]);
  }

  /** Forgets the network's unattributed speech older than `before`. */
  async deleteOlderThan(tx: Tx, networkId: string, before: Date): Promise<void> {
    await this.repo(tx).delete({ networkId, createdAt: LessThan(before) });
  }

  listForModel(tx: Tx, networkId: string, modelId: string): Promise<UnattributedVoiceEntity[]> {
    return this.repo(tx).find({ where: { networkId, modelId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  insert(tx: Tx, networkId: string, values: NewUnattributedVoice): Promise<UnattributedVoiceEntity> {
    const repo = this.repo(tx);
    return repo.save(repo.create({ ...values, networkId }));
  }

  async deleteByIds(tx: Tx, networkId: string, ids: string[]): Promise<void> {
    if (ids.length > 0) await this.repo(tx).delete({ networkId, id: In(ids) });
  }

  /** An utterance given a speaker by hand is no longer unattributed. */
  async deleteForInteraction(networkId: string, interactionId: string): Promise<void> {
    await this.voices.delete({ networkId, interactionId });
  }
}
