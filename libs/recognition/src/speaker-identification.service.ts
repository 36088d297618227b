import { Injectable } from '@nestjs/common';
import { AudioService, MIN_EMBED_SECONDS, type VoiceEmbedding } from '@mira/audio';
import { AppConfig } from '@mira/core';
import { InteractionService } from '@mira/interaction';
import { NetworkService } from '@mira/network';
import type { Identification, UtteranceOrigin } from './identification.types.js';
import { isNewVoice, judgeSpeaker, type ModelEvidence, type TurnContext } from './speaker-decision.js';
import { resolveSpeakerPolicy } from './speaker-policy-defaults.js';
import type { PersonCentroid, SpeakerPolicy } from './speaker-policy.js';
import type { UnattributedSpeech } from './voice-gathering.js';
import { VoiceprintService } from './voiceprint.service.js';

/** How far back a device's previous utterance is looked for (its start; the gap rule is the policy's). */
const CONTEXT_LOOKBACK_SECONDS = 60;

/**
 * Who is speaking: an utterance's speech against the network's voiceprints, under the network's speaker policy, with
 * the same device's preceding turn as context. Persons whose voiceprints belong to an earlier speaker model that
 * still ships (not yet re-enrolled) are compared through that model. A decision only; recording it (an automatic
 * sample, gathering an unknown voice) is the caller's.
 */
@Injectable()
export class SpeakerIdentificationService {
  constructor(
    private readonly voiceprints: VoiceprintService,
    private readonly audio: AudioService,
    private readonly networks: NetworkService,
    private readonly interactions: InteractionService,
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
   * `origin`: the device and time, for the context of the device's preceding turn.
   */
  async identify(
    networkId: string,
    speech: Float32Array,
    speechSeconds: number,
    snrDb: number | null = null,
    origin: UtteranceOrigin | null = null,
  ): Promise<Identification> {
    const modelId = this.voiceprints.currentModelId();
    const unknown = (reason: 'too_little_speech' | 'no_speaker_model'): Identification => ({
      decision: { kind: 'unknown', reason, bestSimilarity: null, bestScore: null, suggestedPersonId: null },
      modelId,
      matchedModelId: null,
      weakModel: false,
      speechSeconds,
      embedding: null,
      policy: null,
      scale: null,
      context: null,
      contextUsed: false,
      unknownPosterior: null,
      gatherable: false,
    });
    // Without a speaker model the utterance is still recorded, with an unknown speaker (never lost, never guessed).
    if (!modelId) return unknown('no_speaker_model');
    if (speechSeconds < MIN_EMBED_SECONDS) return unknown('too_little_speech');
    const embedding = await this.voiceprints.embed(speech);
    return this.identifyEmbedding(networkId, embedding, speech, speechSeconds, snrDb, origin);
  }

  /**
   * `identify` for speech the caller has already embedded with the current model (`voiceprints.embed`), so that a
   * caller who needed the embedding first (the chunk splitter compares its voices) does not embed the speech again.
   * `speech` is still read when persons of an earlier model are compared (embedded once more by that model).
   */
  async identifyEmbedding(
    networkId: string,
    embedding: VoiceEmbedding,
    speech: Float32Array,
    speechSeconds: number,
    snrDb: number | null = null,
    origin: UtteranceOrigin | null = null,
  ): Promise<Identification> {
    const current = await this.evidence(networkId, embedding.modelId, embedding.vector);
    const models = [
      current,
      ...(await this.earlierModels(networkId, speech, embedding.modelId, current.policy)),
    ];
    const context = origin ? await this.turnContext(networkId, origin, current.policy) : null;
    const judgement = judgeSpeaker({ speechSeconds, snrDb, context }, models);
    return {
      decision: judgement.decision,
      modelId: embedding.modelId,
      matchedModelId: judgement.matchedModelId,
      weakModel: embedding.weak,
      speechSeconds,
      embedding: embedding.vector,
      policy: current.policy,
      scale: judgement.scale,
      context,
      contextUsed: judgement.contextUsed,
      unknownPosterior: judgement.unknownPosterior,
      gatherable: judgement.gatherable,
    };
  }

  /**
   * The rule a gathered voice must pass before it becomes a person (voice-gathering.ts `isNewVoice`): heard as one
   * voice, nobody enrolled with `modelId` in the network.
   */
  async newVoiceRule(networkId: string, modelId: string): Promise<(voice: UnattributedSpeech) => boolean> {
    const current = await this.evidence(networkId, modelId, new Float32Array(0));
    return (voice) => isNewVoice(voice, current);
  }

  private async evidence(
    networkId: string,
    modelId: string,
    vector: Float32Array,
    persons?: PersonCentroid[],
  ): Promise<ModelEvidence> {
    const scale = await this.audio.speakerScale(modelId);
    return {
      modelId,
      embedding: vector,
      persons: persons ?? (await this.voiceprints.centroids(networkId, modelId)),
      policy: await this.policyFor(networkId, modelId, scale),
      scale,
      // one scoring call per model for every planned reference: the utterance's cohort profile is computed once
      score: await this.audio.voiceScorer(modelId),
    };
  }

  /**
   * Persons not yet re-enrolled with the current model, compared through the earlier model their voiceprints belong
   * to: only while that model ships, and only when its scores are calibrated (so their evidence weighs like the
   * current model's); the speech is embedded once more, by that model.
   */
  private async earlierModels(
    networkId: string,
    speech: Float32Array,
    currentModelId: string,
    currentPolicy: SpeakerPolicy,
  ): Promise<ModelEvidence[]> {
    if (!currentPolicy.calibrated) return [];
    const out: ModelEvidence[] = [];
    for (const modelId of await this.audio.speakerModels()) {
      if (modelId === currentModelId) continue;
      const scale = await this.audio.speakerScale(modelId);
      if (!(await this.policyFor(networkId, modelId, scale)).calibrated) continue;
      const persons = await this.voiceprints.centroids(networkId, modelId, currentModelId);
      if (persons.length === 0) continue;
      const vector = (await this.audio.embed(speech, modelId)).vector;
      out.push(await this.evidence(networkId, modelId, vector, persons));
    }
    return out;
  }

  /** The device's preceding utterance, when it had a speaker: who, and how long after it ended this one began. */
  private async turnContext(
    networkId: string,
    origin: UtteranceOrigin,
    policy: SpeakerPolicy,
  ): Promise<TurnContext | null> {
    if (!policy.calibrated) return null;
    const since = new Date(origin.startedAt.getTime() - CONTEXT_LOOKBACK_SECONDS * 1000);
    const previous = await this.interactions.latestFromClient(
      networkId,
      origin.clientId,
      since,
      origin.startedAt,
    );
    if (!previous?.personId) return null;
    const audio = previous.metadata?.audio as { duration_seconds?: unknown } | undefined;
    const duration = typeof audio?.duration_seconds === 'number' ? audio.duration_seconds : 0;
    const gapSeconds = (origin.startedAt.getTime() - previous.occurredAt.getTime()) / 1000 - duration;
    return { personId: previous.personId, gapSeconds: Math.max(0, Math.round(gapSeconds * 100) / 100) };
  }
}
