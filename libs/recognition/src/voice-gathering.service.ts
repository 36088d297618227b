import { Injectable } from '@nestjs/common';
import { AudioService } from '@mira/audio';
import { AppConfig, AppLogger, Transactions } from '@mira/core';
import { InteractionService } from '@mira/interaction';
import { PersonService } from '@mira/person';
import type { Identification } from './identification.types.js';
import { UnattributedVoiceRepository } from './unattributed-voice.repository.js';
import { SpeakerIdentificationService } from './speaker-identification.service.js';
import { gatherVoice, type UnattributedSpeech } from './voice-gathering.js';
import { VoiceprintCipher } from './voiceprint-crypto.js';
import { VoiceprintRepository } from './voiceprint.repository.js';

const DAY_MS = 86_400_000;

/**
 * Unknown voices become people by accumulation (voice-gathering.ts): an utterance that is clearly nobody enrolled is
 * kept, unattributed; once enough kept speech is one voice, that voice becomes exactly one new person whose
 * voiceprint is those utterances, and those utterances are given to that person. One network gathers on one instance
 * at a time (a transaction-scoped advisory lock), so two utterances arriving together never make two persons.
 */
@Injectable()
export class VoiceGatheringService {
  private readonly cipher: VoiceprintCipher;

  constructor(
    private readonly repository: UnattributedVoiceRepository,
    private readonly voiceprints: VoiceprintRepository,
    private readonly persons: PersonService,
    private readonly interactions: InteractionService,
    private readonly audio: AudioService,
    private readonly identification: SpeakerIdentificationService,
    private readonly transactions: Transactions,
    private readonly logger: AppLogger,
    config: AppConfig,
  ) {
    this.cipher = new VoiceprintCipher(config.values.voiceprints.key);
  }

  /**
   * Keeps a gatherable utterance's voice, and makes the new person when its voice has gathered enough; answers the new
   * person's id, or null while the voice is still gathering (or the utterance is not gatherable).
   */
  async gather(
    networkId: string,
    identification: Identification,
    interactionId: string,
  ): Promise<string | null> {
    const { embedding, modelId, policy } = identification;
    if (!identification.gatherable || !embedding || !modelId || !policy) return null;
    const rules = policy.gathering;
    const score = await this.audio.voiceScorer(modelId);
    const newVoice = await this.identification.newVoiceRule(networkId, modelId);
    const aad = { networkId, modelId };
    const formed = await this.transactions.run(async (tx) => {
      await this.repository.lockNetwork(tx, networkId);
      await this.repository.deleteOlderThan(tx, networkId, new Date(Date.now() - rules.keepDays * DAY_MS));
      const rows = await this.repository.listForModel(tx, networkId, modelId);
      const kept: Array<UnattributedSpeech & { row: (typeof rows)[number] }> = [];
      for (const row of rows) {
        try {
          kept.push({
            row,
            embedding: this.cipher.decrypt(row.embeddingEncrypted, aad),
            speechSeconds: row.speechSeconds,
          });
        } catch {
          this.logger.warn('unattributed_voice_undecryptable', { network_id: networkId, id: row.id });
        }
      }
      const current = { embedding, speechSeconds: identification.speechSeconds };
      const members = gatherVoice(kept, current, rules, score, newVoice);
      if (!members) {
        await this.repository.insert(tx, networkId, {
          modelId,
          dimension: embedding.length,
          embeddingEncrypted: this.cipher.encrypt(embedding, aad),
          speechSeconds: round2(identification.speechSeconds),
          interactionId,
        });
        return null;
      }
      const group = [
        { embedding, speechSeconds: identification.speechSeconds, interactionId },
        ...members.map((i) => ({ ...kept[i]!, interactionId: kept[i]!.row.interactionId })),
      ];
      const person = await this.persons.createUnnamed(networkId, { created_by: 'voice_gathering' });
      for (const voice of group) {
        await this.voiceprints.insert(
          networkId,
          {
            personId: person.person.id,
            modelId,
            dimension: voice.embedding.length,
            embeddingEncrypted: this.cipher.encrypt(voice.embedding, aad),
            noisyEmbeddingEncrypted: null,
            speechSeconds: round2(voice.speechSeconds),
            source: 'auto',
            description: null,
            sourceInteractionId: voice.interactionId,
          },
          tx,
        );
      }
      await this.repository.deleteByIds(
        tx,
        networkId,
        members.map((i) => kept[i]!.row.id),
      );
      return { personId: person.person.id, interactionIds: group.map((g) => g.interactionId) };
    });
    if (!formed) return null;
    // the utterances the voice was gathered from are that person's (the current one is set by the caller)
    for (const id of formed.interactionIds.slice(1)) {
      await this.interactions.applySystemChanges(networkId, id, { personId: formed.personId });
    }
    this.logger.info('speaker_new_person', {
      network_id: networkId,
      person_id: formed.personId,
      utterances: formed.interactionIds.length,
    });
    return formed.personId;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
