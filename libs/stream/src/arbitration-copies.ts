import type { AudioService } from '@mira/audio';
import {
  type Candidate,
  type ChunkRef,
  copyAudioScore,
  copyToJudge,
  type FloorState,
  type PhoneSignals,
  type ScoreBreakdown,
  streamScore,
} from './arbitration.policy.js';
import type { SpeechJudgement } from './stream-chunk.repository.js';
import type { StreamChunk } from './stream.types.js';

/*
 * The copies of one moment as the arbitration weighs them: ranked against each other by the cross-copy SNR, split into
 * the sounds they heard, and each sound's speech judged once by the VAD.
 */

/** A stored chunk as the arbitration policy sees it. */
export interface Ref extends ChunkRef {
  row: StreamChunk;
}

export interface Scored extends Candidate, Ref {
  breakdown: ScoreBreakdown;
  crossCopy: boolean;
}

/** A moment's copies as the arbitration reads them: their decoded audio by chunk id, and each device's signals now. */
export interface Heard {
  samples: Map<string, Float32Array>;
  signalsOf: (clientId: string) => PhoneSignals;
}

/** What the VAD said of one sound: the speech ratio every copy takes, and the copies it ran on. */
export interface SoundSpeech {
  /** Null when the copy to judge had no audio left: then each copy's own (estimated) speech ratio counts. */
  speechRatio: number | null;
  judged: Map<string, SpeechJudgement>;
}

/**
 * The VAD's judgement of one sound: run once, on its best-ranked copy (copyToJudge), whose speech ratio every copy
 * takes. A best copy without enough speech means a sound without speech (nothing forwarded), not a turn for the next
 * copy: copies of one sound hear the same words, and a silent moment would otherwise cost a VAD pass per copy.
 */
export async function judgeSound(
  audio: AudioService,
  candidates: Scored[],
  floor: FloorState,
  heard: Heard,
): Promise<SoundSpeech> {
  const judged = new Map<string, SpeechJudgement>();
  const best = copyToJudge(candidates, floor);
  const judgement = best ? await judge(audio, best, heard) : null;
  if (!best || !judgement) return { speechRatio: null, judged };
  judged.set(best.chunkId, judgement);
  return { speechRatio: judgement.speechRatio, judged };
}

/** One copy's quality by the VAD (AudioService.assessQuality), as its row stores it; null without its audio. */
export async function judge(
  audio: AudioService,
  copy: Scored,
  heard: Heard,
): Promise<SpeechJudgement | null> {
  const samples = heard.samples.get(copy.chunkId);
  if (!samples) return null;
  const quality = await audio.assessQuality(samples);
  return {
    audioScore: quality.score,
    snrDb: quality.snr_db,
    clarity: quality.clarity,
    speechRatio: quality.speech_ratio,
    score: streamScore(quality.score, heard.signalsOf(copy.row.clientId)).score,
  };
}

/**
 * Ranks copies on the same sound with the cross-copy SNR (AudioService.compareCopies, on the audio worker threads)
 * instead of each clip's own quality score, which is not commensurable across devices, and splits the copies into the
 * distinct sounds they heard. Single copies keep their clip score.
 */
export async function compareAcrossCopies(
  audio: AudioService,
  candidates: Scored[],
  heard: Heard,
): Promise<{ sounds: Scored[][]; crossCopy: boolean }> {
  const one = { sounds: [candidates], crossCopy: false };
  if (candidates.length < 2) return one;
  const copies = candidates.map((c) => heard.samples.get(c.chunkId));
  if (copies.some((samples) => samples === undefined)) return one;
  const comparison = await audio.compareCopies(copies as Float32Array[]);
  candidates.forEach((c, i) => {
    c.snrDb = comparison.snrDb[i]!;
    c.breakdown = streamScore(copyAudioScore(c.snrDb, c.row.clippingRatio), heard.signalsOf(c.row.clientId));
    c.score = c.breakdown.score;
    c.crossCopy = true;
  });
  return { sounds: comparison.sounds.map((sound) => sound.map((i) => candidates[i]!)), crossCopy: true };
}

export function refOf(c: StreamChunk): Ref {
  return {
    chunkId: c.id,
    streamRowId: c.streamRowId,
    streamId: c.streamId,
    startMs: c.alignedStart.getTime(),
    endMs: c.alignedEnd.getTime(),
    row: c,
  };
}
