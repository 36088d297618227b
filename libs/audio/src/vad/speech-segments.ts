import type { SpeechSegment } from '../audio.types.js';

export interface SegmentOptions {
  /** Probability at or above which speech starts. */
  threshold: number;
  /** Probability below which speech may end (hysteresis: negThreshold < threshold). */
  negThreshold: number;
  /** Speech shorter than this is dropped. */
  minSpeechMs: number;
  /** Silence must last this long to end a segment. */
  minSilenceMs: number;
  /** Added before and after each segment (clamped to the clip, overlapping segments merged). */
  speechPadMs: number;
}

/**
 * Per-frame speech state with hysteresis: enters at `threshold`, leaves below `negThreshold`. No minimum
 * durations: this is what the quality score uses to split speech frames from the noise floor.
 */
export function hysteresisFlags(
  probabilities: Float32Array,
  threshold: number,
  negThreshold: number,
): Uint8Array {
  const flags = new Uint8Array(probabilities.length);
  let speaking = false;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (!speaking && p >= threshold) speaking = true;
    else if (speaking && p < negThreshold) speaking = false;
    flags[i] = speaking ? 1 : 0;
  }
  return flags;
}

/**
 * Speech segments from per-frame probabilities (a port of Silero's get_speech_timestamps logic): start when a
 * frame reaches `threshold`, end once probabilities stay below `negThreshold` for `minSilenceMs`, drop segments
 * shorter than `minSpeechMs`, pad by `speechPadMs` and merge what then overlaps.
 */
export function speechSegments(
  probabilities: Float32Array,
  frameSamples: number,
  sampleRate: number,
  totalSamples: number,
  options: SegmentOptions,
): SpeechSegment[] {
  const msToSamples = (ms: number) => Math.round((ms * sampleRate) / 1000);
  const minSilence = msToSamples(options.minSilenceMs);
  const minSpeech = msToSamples(options.minSpeechMs);
  const pad = msToSamples(options.speechPadMs);
  const raw: Array<[number, number]> = [];
  let start = -1;
  let tentativeEnd = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const at = i * frameSamples;
    if (p >= options.threshold) {
      tentativeEnd = -1;
      if (start < 0) start = at;
      continue;
    }
    if (start >= 0 && p < options.negThreshold) {
      if (tentativeEnd < 0) tentativeEnd = at;
      if (at + frameSamples - tentativeEnd >= minSilence) {
        if (tentativeEnd - start >= minSpeech) raw.push([start, tentativeEnd]);
        start = -1;
        tentativeEnd = -1;
      }
    }
  }
  if (start >= 0) {
    const end =
      tentativeEnd >= 0 ? tentativeEnd : Math.min(totalSamples, probabilities.length * frameSamples);
    if (end - start >= minSpeech) raw.push([start, end]);
  }
  const merged: Array<[number, number]> = [];
  for (const [s, e] of raw) {
    const ps = Math.max(0, s - pad);
    const pe = Math.min(totalSamples, e + pad);
    const last = merged[merged.length - 1];
    if (last && ps <= last[1]) last[1] = Math.max(last[1], pe);
    else merged.push([ps, pe]);
  }
  return merged.map(([s, e]) => ({ start: s / sampleRate, end: e / sampleRate }));
}
