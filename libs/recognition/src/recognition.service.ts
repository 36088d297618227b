import { Injectable, OnModuleInit } from '@nestjs/common';
import { AudioService, MIN_EMBED_SECONDS, type SpeechExtract, type VoiceEmbedding } from '@mira/audio';
import { AuditService } from '@mira/audit';
import { AppConfig, AppLogger, centroidOf, isoUtc, LruCache } from '@mira/core';
import { InteractionService } from '@mira/interaction';
import { NetworkService } from '@mira/network';
import { PersonService } from '@mira/person';
import type { EnrolmentResultDto, VoiceSampleDto } from './dto/voice.dto.js';
import { RecognitionErrors } from './recognition.errors.js';
import {
  bestScores,
  identifySpeaker,
  PersonCentroid,
  planIdentification,
  resolveSpeakerPolicy,
  SpeakerDecision,
  SpeakerPolicy,
} from './speaker-policy.js';
import { VoiceprintCipher } from './voiceprint-crypto.js';
import { VoiceprintEntity } from './voiceprint.entity.js';
import { VoiceprintRepository } from './voiceprint.repository.js';

/** Decrypted samples kept in memory: about 2.7 KB each for a 342-dimension model (clean and heard-in-noise). */
const DECRYPTED_SAMPLES_KEPT = 10_000;

interface DecryptedSample {
  networkId: string;
  clean: Float32Array;
  noisy: Float32Array | null;
}

/** More than this fraction of samples at full scale and an enrolment sample is refused as clipped. */
const MAX_CLIPPING_RATIO = 0.01;

export interface Identification {
  decision: SpeakerDecision;
  modelId: string | null;
  weakModel: boolean;
  speechSeconds: number;
  embedding: Float32Array | null;
  policy: SpeakerPolicy | null;
  /** Scale of the decision's scores (`as-norm` with the model's cohort, else `cosine`); null without a decision. */
  scale: string | null;
}

/**
 * Voiceprints (enrolment, encrypted storage, automatic refinement) and speaker identification against the
 * network's persons. Embeddings are compared only within one speaker model; a new model means re-enrolment.
 */
@Injectable()
export class RecognitionService implements OnModuleInit {
  private readonly cipher: VoiceprintCipher;
  /**
   * Decrypted sample vectors by voiceprint id, least recently used out. A sample's vectors never change (only its
   * person may), so each is decrypted once instead of once per utterance (about 12 µs per vector, 6–7 ms per
   * utterance for 50 persons of 11 vectors: bench:audio). Which samples exist, and whose they are, is read from the
   * database for every utterance, so deletions, merges and other instances' new samples are seen at once.
   */
  private readonly decrypted = new LruCache<string, DecryptedSample>(DECRYPTED_SAMPLES_KEPT);

  constructor(
    private readonly repository: VoiceprintRepository,
    private readonly audio: AudioService,
    private readonly persons: PersonService,
    private readonly interactions: InteractionService,
    private readonly networks: NetworkService,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly audit: AuditService,
  ) {
    this.cipher = new VoiceprintCipher(config.values.recognition.voiceprintKey);
  }

  onModuleInit(): void {
    // Replaces the person module's placeholder: real sample counts for the current speaker model.
    this.persons.registerStatsProvider(
      async (networkId, ids) => {
        const counts = await this.repository.countByPerson(
          networkId,
          ids,
          this.currentModelId() ?? undefined,
        );
        return new Map(
          ids.map((id) => [
            id,
            { voiceprint_samples: counts.get(id) ?? 0, has_voiceprint: (counts.get(id) ?? 0) > 0 },
          ]),
        );
      },
      ['voiceprint_samples', 'has_voiceprint'],
    );
    this.persons.registerMergeHook((manager, networkId, sourceId, targetId) =>
      this.repository.reassign(manager, networkId, sourceId, targetId),
    );
    // A corrected utterance must not keep feeding the wrong person's voiceprint.
    this.interactions.registerPersonChangeHook(async (networkId, interactionId) => {
      await this.repository.deleteFromInteraction(networkId, interactionId);
    });
  }

  /** The default speaker model's id, or null when none is loaded. */
  currentModelId(): string | null {
    return this.audio.engines().speaker?.model ?? null;
  }

  /** Noise reduction, then VAD: the speech of a clip. */
  extractSpeech(samples: Float32Array): Promise<SpeechExtract> {
    return this.audio.extractSpeech(samples);
  }

  async enrol(
    networkId: string,
    personId: string,
    bytes: Buffer,
    hint: { filename?: string; mimetype?: string },
    description: string | null,
  ): Promise<EnrolmentResultDto> {
    await this.persons.requireExisting(networkId, [personId], 'person_id');
    const decoded = await this.audio.decode(bytes, hint);
    const quality = await this.audio.assessQuality(decoded.samples);
    if (quality.clipping_ratio > MAX_CLIPPING_RATIO) throw RecognitionErrors.clipped(quality.clipping_ratio);
    const { speech, speechSeconds } = await this.extractSpeech(decoded.samples);
    if (speechSeconds === 0) throw RecognitionErrors.noSpeech();
    const minSeconds = Math.max(MIN_EMBED_SECONDS, this.config.values.recognition.enrolmentMinSpeechSeconds);
    if (speechSeconds < minSeconds) throw RecognitionErrors.tooLittleSpeech(speechSeconds, minSeconds);
    const embedding = await this.embed(speech);
    // the same voice as heard in a noisy room, for matching noisy utterances (multi-condition enrolment)
    const inNoise = await this.audio.embedInNoise(decoded.samples);
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
    return { ...this.toDto(row), weak_model: embedding.weak, audio_seconds: round2(decoded.durationSeconds) };
  }

  async list(networkId: string, personId: string): Promise<VoiceSampleDto[]> {
    await this.persons.requireExisting(networkId, [personId], 'person_id');
    return (await this.repository.listForPerson(networkId, personId)).map((r) => this.toDto(r));
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

  /** The effective policy for a model and score scale in a network (model defaults ← env ← network settings). */
  async policyFor(networkId: string, modelId: string, scale: string): Promise<SpeakerPolicy> {
    const env = this.config.values.recognition.speaker;
    const envPolicy: Partial<SpeakerPolicy> = {};
    if (env.matchThreshold !== undefined) envPolicy.matchThreshold = env.matchThreshold;
    if (env.matchMargin !== undefined) envPolicy.matchMargin = env.matchMargin;
    if (env.minMatchSpeechSeconds !== undefined) envPolicy.minMatchSpeechSeconds = env.minMatchSpeechSeconds;
    if (env.newPersonMinSpeechSeconds !== undefined)
      envPolicy.newPersonMinSpeechSeconds = env.newPersonMinSpeechSeconds;
    if (env.autoSamplesMax !== undefined) envPolicy.autoSamplesMax = env.autoSamplesMax;
    return resolveSpeakerPolicy(modelId, envPolicy, await this.networks.settings(networkId), scale);
  }

  /**
   * Who is speaking in this speech? A decision only; nothing is written. `snrDb`: how noisy the utterance was as the
   * microphone heard it (`noiseJudgementSnrDb` of the AudioModule), when known (noisy audio has its own rules, see
   * SpeakerPolicy).
   */
  async identify(
    networkId: string,
    speech: Float32Array,
    speechSeconds: number,
    snrDb: number | null = null,
  ): Promise<Identification> {
    const modelId = this.currentModelId();
    const unknown = (reason: 'too_little_speech' | 'no_speaker_model'): Identification => ({
      decision: { kind: 'unknown', reason, bestSimilarity: null, bestScore: null, suggestedPersonId: null },
      modelId,
      weakModel: false,
      speechSeconds,
      embedding: null,
      policy: null,
      scale: null,
    });
    // Without a speaker model the utterance is still recorded, with an unknown speaker (never lost, never guessed).
    if (!modelId) return unknown('no_speaker_model');
    if (speechSeconds < MIN_EMBED_SECONDS) return unknown('too_little_speech');
    const embedding = await this.embed(speech);
    const persons = await this.centroids(networkId, embedding.modelId);
    const scale = await this.audio.speakerScale(embedding.modelId);
    const policy = await this.policyFor(networkId, embedding.modelId, scale);
    const { references, offsets } = planIdentification(snrDb, persons, scale, policy);
    // one scoring call for every planned reference: the utterance's cohort profile is computed once
    const voices = bestScores(
      await this.audio.scoreVoices(embedding.modelId, embedding.vector, references),
      offsets,
    );
    const decision = identifySpeaker(
      { embedding: embedding.vector, speechSeconds, snrDb },
      persons,
      policy,
      voices,
    );
    return {
      decision,
      modelId: embedding.modelId,
      weakModel: embedding.weak,
      speechSeconds,
      embedding: embedding.vector,
      policy,
      scale: voices.scale,
    };
  }

  /** Adds an automatic sample from a confident identification (or a new person's first utterance), bounded. */
  async addAutoSample(
    networkId: string,
    personId: string,
    identification: Identification,
    interactionId: string,
  ): Promise<void> {
    if (!identification.embedding || !identification.modelId || !identification.policy) return;
    if (identification.policy.autoSamplesMax <= 0) return;
    const modelId = identification.modelId;
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
    await this.repository.trimAutoSamples(networkId, personId, modelId, identification.policy.autoSamplesMax);
  }

  /**
   * Person centroids for one model: the normalised mean of each person's samples of that model, and of their
   * noisy-condition embeddings when any sample has one.
   */
  async centroids(networkId: string, modelId: string): Promise<PersonCentroid[]> {
    const members = await this.repository.listMembersForModel(networkId, modelId);
    // samples deleted (here or on another instance) are not kept in memory past this read
    const current = new Set(members.map((m) => m.id));
    this.decrypted.deleteWhere((sample, id) => sample.networkId === networkId && !current.has(id));
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
    const byPerson = new Map<string, { clean: Float32Array[]; noisy: Float32Array[] }>();
    for (const member of members) {
      const sample = samples.get(member.id);
      if (!sample) continue; // undecryptable (or deleted since the list was read)
      const person = byPerson.get(member.personId) ?? { clean: [], noisy: [] };
      person.clean.push(sample.clean);
      if (sample.noisy) person.noisy.push(sample.noisy);
      byPerson.set(member.personId, person);
    }
    return [...byPerson.entries()].map(([personId, { clean, noisy }]) => ({
      personId,
      centroid: centroidOf(clean),
      ...(noisy.length > 0 ? { noisyCentroid: centroidOf(noisy) } : {}),
      samples: clean.length,
    }));
  }

  private async embed(speech: Float32Array): Promise<VoiceEmbedding> {
    if (!this.currentModelId()) throw RecognitionErrors.modelUnavailable();
    return this.audio.embed(speech);
  }

  private toDto(row: VoiceprintEntity): VoiceSampleDto {
    return {
      id: row.id,
      person_id: row.personId,
      description: row.description,
      speech_seconds: row.speechSeconds,
      model_id: row.modelId,
      source: row.source,
      current_model: row.modelId === this.currentModelId(),
      created_at: isoUtc(row.createdAt) as string,
    };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
