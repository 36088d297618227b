import { Injectable } from '@nestjs/common';
import { AudioService, concatSamples, SAMPLE_RATE, type SpeakerTurn, type SpeechExtract } from '@mira/audio';
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
 * sliding windows → change points and clustering) proposes voices; the speaker policy judges each voice on its own
 * speech; voices it names as the same person, or that are not clearly unlike each other by its new-person line, are
 * one voice again
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

    const voices = new Map<string, Identification>();
    for (const label of new Set(turns.map((t) => t.speaker))) {
      const own = turns.filter((t) => t.speaker === label);
      const audio = concatSamples(own.map((t) => sliceOf(speech.denoised, t)));
      const first = turns[0]!.speaker === label;
      voices.set(
        label,
        await this.identification.identify(
          networkId,
          audio,
          audio.length / SAMPLE_RATE,
          snrDb,
          first ? origin : null,
        ),
      );
    }
    const policy = [...voices.values()].find((v) => v.policy)?.policy;
    if (!policy) return null;
    const score = await this.audio.voiceScorer(modelId);
    const representative = sameVoices(
      [...voices].map(([label, v]) => ({
        label,
        personId: v.decision.kind === 'match' ? v.decision.personId : null,
        embedding: v.modelId === modelId ? v.embedding : null,
      })),
      score,
      distinctVoicesBelow(policy, snrDb),
    );
    const merged = mergeVoices(turns, representative);
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
