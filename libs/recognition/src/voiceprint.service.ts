import { Injectable } from '@nestjs/common';
import { AudioService, MIN_EMBED_SECONDS, type VoiceEmbedding } from '@mira/audio';
import { AuditService } from '@mira/audit';
import { AppConfig, AppLogger, centroidOf, LruCache } from '@mira/core';
import { PersonService } from '@mira/person';
import type { Identification } from './identification.types.js';
import { RecognitionErrors } from './recognition.errors.js';
import type { PersonCentroid } from './speaker-policy.js';
import { VoiceprintCipher } from './voiceprint-crypto.js';
import { autoSamplesKept } from './voiceprint-growth.js';
import { VoiceprintRepository } from './voiceprint.repository.js';
import type { Enrolment, VoiceSample } from './voiceprint.types.js';

/** Decrypted samples kept in memory: about 2.7 KB each for a 342-dimension model (clean and heard-in-noise). */
const DECRYPTED_SAMPLES_KEPT = 10_000;

interface DecryptedSample {
  networkId: string;
  modelId: string;
  clean: Float32Array;
  noisy: Float32Array | null;
}

/** More than this fraction of samples at full scale and an enrolment sample is refused as clipped. */
const MAX_CLIPPING_RATIO = 0.01;

/**
 * Voiceprints: enrolment, the samples' CRUD, automatic refinement, and the per-person centroids identification
 * compares against. Embeddings are stored encrypted with the id of the speaker model that made them; a new model
 * means re-enrolment, never comparison across models.
 */
@Injectable()
export class VoiceprintService {
  private readonly cipher: VoiceprintCipher;
  /**
   * Decrypted sample vectors by voiceprint id, least recently used out. A sample's vectors never change (only its
   * person may), so each is decrypted once instead of once per utterance (what that saves: bench:audio, in
   * BENCHMARKS.md). Which samples exist, and whose they are, is read from the database for every utterance, so
   * deletions, merges and other instances' new samples are seen at once.
   */
  private readonly decrypted = new LruCache<string, DecryptedSample>(DECRYPTED_SAMPLES_KEPT);

  constructor(
    private readonly repository: VoiceprintRepository,
    private readonly audio: AudioService,
    private readonly persons: PersonService,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly audit: AuditService,
  ) {
    this.cipher = new VoiceprintCipher(config.values.voiceprints.key);
  }

  /** The default speaker model's id, or null when none is loaded. */
  currentModelId(): string | null {
    return this.audio.engines().speaker?.model ?? null;
  }

  async enrol(
    networkId: string,
    personId: string,
    bytes: Buffer,
    hint: { filename?: string; mimetype?: string },
    description: string | null,
  ): Promise<Enrolment> {
    await this.persons.requireExisting(networkId, [personId], 'person_id');
    const decoded = await this.audio.decode(bytes, hint);
    const quality = await this.audio.assessQuality(decoded.samples);
    if (quality.clipping_ratio > MAX_CLIPPING_RATIO) throw RecognitionErrors.clipped(quality.clipping_ratio);
    if (!this.currentModelId()) throw RecognitionErrors.modelUnavailable();
    // the VAD speech embedded, and the same voice as heard in a noisy room, for matching noisy utterances
    // (multi-condition enrolment): the one helper the evaluations enrol with too
    const { speechSeconds, voice: embedding, inNoise } = await this.audio.enrolmentSample(decoded.samples);
    if (speechSeconds === 0) throw RecognitionErrors.noSpeech();
    const minSeconds = Math.max(MIN_EMBED_SECONDS, this.config.values.voiceprints.enrolmentMinSpeechSeconds);
    if (speechSeconds < minSeconds || !embedding)
      throw RecognitionErrors.tooLittleSpeech(speechSeconds, minSeconds);
    const aad = { networkId, modelId: embedding.modelId };
    const row = await this.repository.insert(networkId, {
      personId,
      modelId: embedding.modelId,
      dimension: embedding.dimension,
      embeddingEncrypted: this.cipher.encrypt(embedding.vector, aad),
      noisyEmbeddingEncrypted: inNoise ? this.cipher.encrypt(inNoise.vector, aad) : null,
      speechSeconds: round2(speechSeconds),
      source: 'enrolment',
      description,
      sourceInteractionId: null,
    });
    this.logger.info('voiceprint_enrolled', {
      network_id: networkId,
      person_id: personId,
      voiceprint_id: row.id,
      speech_ms: Math.round(speechSeconds * 1000),
      model_id: embedding.modelId,
    });
    await this.audit.record({
      networkId,
      action: 'voiceprint.enrolled',
      targetType: 'voiceprint',
      targetId: row.id,
      details: {
        person_id: personId,
        model_id: embedding.modelId,
        speech_ms: Math.round(speechSeconds * 1000),
      },
    });
    return { sample: row, weakModel: embedding.weak, audioSeconds: round2(decoded.durationSeconds) };
  }

  async list(networkId: string, personId: string): Promise<VoiceSample[]> {
    await this.persons.requireExisting(networkId, [personId], 'person_id');
    return this.repository.listForPerson(networkId, personId);
  }

  async deleteSample(networkId: string, personId: string, sampleId: string): Promise<void> {
    await this.persons.requireExisting(networkId, [personId], 'person_id');
    if (!(await this.repository.delete(networkId, personId, sampleId)))
      throw RecognitionErrors.sampleNotFound();
    this.logger.info('voiceprint_deleted', {
      network_id: networkId,
      person_id: personId,
      voiceprint_id: sampleId,
    });
    await this.audit.record({
      networkId,
      action: 'voiceprint.deleted',
      targetType: 'voiceprint',
      targetId: sampleId,
      details: { person_id: personId },
    });
  }

  /**
   * Grows a person's voiceprint with a confidently named utterance (judgeSpeaker's `refine`): an automatic sample of
   * the current model, the oldest automatic ones out beyond the bound (voiceprint-growth.ts: a gathered person keeps
   * more than an enrolled one, whose enrolment stays whole; the decision says which the person is).
   */
  async addAutoSample(
    networkId: string,
    personId: string,
    identification: Identification,
    interactionId: string,
  ): Promise<void> {
    if (!identification.embedding || !identification.modelId || !identification.policy) return;
    const modelId = identification.modelId;
    const { decision } = identification;
    const enrolled = !(decision.kind === 'match' && decision.gathered);
    const keep = autoSamplesKept(identification.policy, enrolled);
    if (keep <= 0) return;
    await this.repository.insert(networkId, {
      personId,
      modelId,
      dimension: identification.embedding.length,
      embeddingEncrypted: this.cipher.encrypt(identification.embedding, { networkId, modelId }),
      noisyEmbeddingEncrypted: null,
      speechSeconds: round2(identification.speechSeconds),
      source: 'auto',
      description: null,
      sourceInteractionId: interactionId,
    });
    await this.repository.trimAutoSamples(networkId, personId, modelId, keep);
  }

  /**
   * Person centroids for one model: the normalised mean of each person's samples of that model, and of their
   * noisy-condition embeddings when any sample has one. `awaitingReenrolmentFrom` (the current model): only the
   * persons who have no sample of that model yet (an earlier model's voiceprints keep them recognised).
   */
  async centroids(
    networkId: string,
    modelId: string,
    awaitingReenrolmentFrom?: string,
  ): Promise<PersonCentroid[]> {
    const members = awaitingReenrolmentFrom
      ? await this.repository.listMembersAwaitingModel(networkId, modelId, awaitingReenrolmentFrom)
      : await this.repository.listMembersForModel(networkId, modelId);
    // samples deleted (here or on another instance), or no longer read (their person enrolled with the current
    // model), are not kept in memory past this read
    const current = new Set(members.map((m) => m.id));
    this.decrypted.deleteWhere(
      (sample, id) => sample.networkId === networkId && sample.modelId === modelId && !current.has(id),
    );
    // this utterance's vectors, held here so that the cache's own evictions cannot drop a sample from it
    const samples = new Map<string, DecryptedSample>();
    for (const member of members) {
      const kept = this.decrypted.get(member.id);
      if (kept) samples.set(member.id, kept);
    }
    const unread = members.filter((m) => !samples.has(m.id)).map((m) => m.id);
    if (unread.length > 0) {
      for (const row of await this.repository.findByIds(networkId, unread)) {
        try {
          const aad = { networkId, modelId: row.modelId };
          const sample = {
            networkId,
            modelId: row.modelId,
            clean: this.cipher.decrypt(row.embeddingEncrypted, aad),
            noisy: row.noisyEmbeddingEncrypted ? this.cipher.decrypt(row.noisyEmbeddingEncrypted, aad) : null,
          };
          this.decrypted.set(row.id, sample);
          samples.set(row.id, sample);
        } catch {
          // A sample encrypted with a rotated-away key cannot be used; it is reported, never guessed.
          this.logger.warn('voiceprint_undecryptable', { network_id: networkId, voiceprint_id: row.id });
        }
      }
    }
    const byPerson = new Map<string, { clean: Float32Array[]; noisy: Float32Array[]; enrolled: boolean }>();
    for (const member of members) {
      const sample = samples.get(member.id);
      if (!sample) continue; // undecryptable (or deleted since the list was read)
      const person = byPerson.get(member.personId) ?? { clean: [], noisy: [], enrolled: false };
      person.clean.push(sample.clean);
      if (sample.noisy) person.noisy.push(sample.noisy);
      if (member.source === 'enrolment') person.enrolled = true;
      byPerson.set(member.personId, person);
    }
    return [...byPerson.entries()].map(([personId, { clean, noisy, enrolled }]) => ({
      personId,
      centroid: centroidOf(clean),
      ...(noisy.length > 0 ? { noisyCentroid: centroidOf(noisy) } : {}),
      samples: clean.length,
      ...(enrolled ? {} : { gathered: true }),
    }));
  }

  /** The embedding of speech with the current speaker model (503 when none is loaded). */
  async embed(speech: Float32Array): Promise<VoiceEmbedding> {
    if (!this.currentModelId()) throw RecognitionErrors.modelUnavailable();
    return this.audio.embed(speech);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
