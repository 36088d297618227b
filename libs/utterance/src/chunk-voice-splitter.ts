import { Injectable } from '@nestjs/common';
import {
  AudioService,
  concatSamples,
  MIN_EMBED_SECONDS,
  SAMPLE_RATE,
  type SpeakerTurn,
  type SpeechExtract,
  type VoiceEmbedding,
} from '@mira/audio';
import {
  type Identification,
  SpeakerIdentificationService,
  type UtteranceOrigin,
  VoiceprintService,
} from '@mira/recognition';
import {
  candidateTurns,
  CHUNK_DIARIZATION,
  distinctVoicesBelow,
  mergeVoices,
  sameVoices,
} from './chunk-voices.js';

/** A chunk heard as two or more voices: its turns in time order and each voice's judgement by the speaker policy. */
export interface ChunkVoices {
  /** Seconds from the chunk's start; `speaker` is a voice label local to the chunk (`S1`, `S2`, …). */
  turns: SpeakerTurn[];
  voices: Map<string, Identification>;
}

/**
 * Whether one chunk holds more than one voice. The diarizer (AudioService.diarizeDenoised: VAD regions → embeddings of
 * sliding windows → change points and clustering) proposes voices; each voice's own speech is embedded once; voices
 * that are not clearly unlike each other by the speaker policy's new-person line are one voice again, and the policy
 * judges the rest from those embeddings (identifyEmbedding); voices it names as the same person are one voice too
 * (chunk-voices.ts). A chunk with too little speech for two voices, or without a speaker model, is not diarized.
 */
@Injectable()
export class ChunkVoiceSplitter {
  constructor(
    private readonly audio: AudioService,
    private readonly identification: SpeakerIdentificationService,
    private readonly voiceprints: VoiceprintService,
  ) {}

  /**
   * `speech`: the chunk through extractSpeech (its denoised clip is what is diarized, judged and transcribed);
   * `origin`: the device and start of the chunk (the context of the first voice). Null when the chunk is one voice.
   */
  async split(
    networkId: string,
    speech: SpeechExtract,
    snrDb: number,
    origin: UtteranceOrigin,
  ): Promise<ChunkVoices | null> {
    const modelId = this.voiceprints.currentModelId();
    if (!modelId || speech.speechSeconds < CHUNK_DIARIZATION.minSpeechSeconds) return null;
    const diarization = await this.audio.diarizeDenoised(speech.denoised, snrDb);
    const turns = candidateTurns(diarization.turns);
    if (!turns) return null;

    // Each voice is embedded once. Voices not clearly unlike each other are one voice before anyone is judged: a chunk
    // that is one voice after all is identified once, as a whole, by the caller.
    const heard: Array<{ label: string; audio: Float32Array; embedding: VoiceEmbedding | null }> = [];
    for (const label of new Set(turns.map((t) => t.speaker))) {
      const audio = concatSamples(
        turns.filter((t) => t.speaker === label).map((t) => sliceOf(speech.denoised, t)),
      );
      const embedding =
        audio.length >= MIN_EMBED_SECONDS * SAMPLE_RATE ? await this.voiceprints.embed(audio) : null;
      heard.push({ label, audio, embedding: embedding?.modelId === modelId ? embedding : null });
    }
    if (!heard.some((v) => v.embedding)) return null;
    const score = await this.audio.voiceScorer(modelId);
    const policy = await this.identification.policyFor(
      networkId,
      modelId,
      await this.audio.speakerScale(modelId),
    );
    const apart = distinctVoicesBelow(policy, snrDb);
    const evidence = (personOf: (label: string) => string | null) =>
      heard.map((v) => ({
        label: v.label,
        personId: personOf(v.label),
        embedding: v.embedding?.vector ?? null,
      }));
    const unlike = mergeVoices(
      turns,
      sameVoices(
        evidence(() => null),
        score,
        apart,
      ),
    );
    const distinct = new Set(unlike.map((t) => t.speaker));
    if (distinct.size < 2) return null;

    // The voices left are judged by the speaker policy from their embeddings; two it names as one person are one voice.
    const voices = new Map<string, Identification>();
    for (const v of heard.filter((x) => distinct.has(x.label))) {
      const seconds = v.audio.length / SAMPLE_RATE;
      const context = unlike[0]!.speaker === v.label ? origin : null;
      voices.set(
        v.label,
        v.embedding
          ? await this.identification.identifyEmbedding(
              networkId,
              v.embedding,
              v.audio,
              seconds,
              snrDb,
              context,
            )
          : await this.identification.identify(networkId, v.audio, seconds, snrDb, context),
      );
    }
    const personOf = (label: string) => {
      const d = voices.get(label)?.decision;
      return d?.kind === 'match' ? d.personId : null;
    };
    const merged = mergeVoices(
      unlike,
      sameVoices(
        evidence(personOf).filter((v) => distinct.has(v.label)),
        score,
        apart,
      ),
    );
    const kept = new Set(merged.map((t) => t.speaker));
    if (kept.size < 2) return null;
    for (const label of [...voices.keys()]) if (!kept.has(label)) voices.delete(label);
    return { turns: merged, voices };
  }
}

/** A turn's stretch of a chunk's audio. */
export function sliceOf(samples: Float32Array, turn: { start: number; end: number }): Float32Array {
  return samples.subarray(
    Math.max(0, Math.floor(turn.start * SAMPLE_RATE)),
    Math.min(samples.length, Math.ceil(turn.end * SAMPLE_RATE)),
  );
}
