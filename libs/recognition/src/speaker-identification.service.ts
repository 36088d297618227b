import { Injectable } from '@nestjs/common';
import { AudioService, MIN_EMBED_SECONDS } from '@mira/audio';
import { AppConfig } from '@mira/core';
import { NetworkService } from '@mira/network';
import type { Identification } from './identification.types.js';
import { bestScores, identifySpeaker, planIdentification, SpeakerPolicy } from './speaker-policy.js';
import { resolveSpeakerPolicy } from './speaker-policy-defaults.js';
import { VoiceprintService } from './voiceprint.service.js';

/**
 * Who is speaking: an utterance's speech against the network's voiceprints, under the network's speaker policy. A
 * decision only; recording it (a new person, an automatic sample) is the caller's.
 */
@Injectable()
export class SpeakerIdentificationService {
  constructor(
    private readonly voiceprints: VoiceprintService,
    private readonly audio: AudioService,
    private readonly networks: NetworkService,
    private readonly config: AppConfig,
  ) {}

  /** The effective policy for a model and score scale in a network (model defaults ← env ← network settings). */
  async policyFor(networkId: string, modelId: string, scale: string): Promise<SpeakerPolicy> {
    const env = this.config.values.speakerIdentification;
    const envPolicy: Parameters<typeof resolveSpeakerPolicy>[1] = {};
    if (env.matchThreshold !== undefined) envPolicy.matchThreshold = env.matchThreshold;
    if (env.matchMargin !== undefined) envPolicy.matchMargin = env.matchMargin;
    if (env.minMatchSpeechSeconds !== undefined) envPolicy.minMatchSpeechSeconds = env.minMatchSpeechSeconds;
    if (env.newPersonMinSpeechSeconds !== undefined)
      envPolicy.newPersonMinSpeechSeconds = env.newPersonMinSpeechSeconds;
    if (env.autoSamplesMax !== undefined) envPolicy.autoSamplesMax = env.autoSamplesMax;
    return resolveSpeakerPolicy(modelId, envPolicy, await this.networks.settings(networkId), scale);
  }

  /**
   * Who is speaking in this speech? `snrDb`: how noisy the utterance was as the microphone heard it
   * (`noiseJudgementSnrDb` of the AudioModule), when known (noisy audio has its own rules, see SpeakerPolicy).
   */
  async identify(
    networkId: string,
    speech: Float32Array,
    speechSeconds: number,
    snrDb: number | null = null,
  ): Promise<Identification> {
    const modelId = this.voiceprints.currentModelId();
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
    const embedding = await this.voiceprints.embed(speech);
    const persons = await this.voiceprints.centroids(networkId, embedding.modelId);
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
}
