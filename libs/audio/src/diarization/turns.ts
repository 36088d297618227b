import type { SpeechSegment } from '../audio.types.js';
import type { SpeakerTurn } from './diarization.types.js';

/** A stretch of audio that one embedding describes. */
export interface TimedWindow {
  start: number;
  end: number;
}

/**
 * Sliding windows over each speech region: `windowSeconds` long every `stepSeconds`, the last one flush with the
 * region's end; a region shorter than a window but at least `minSeconds` long is one window; shorter regions get none
 * (their speech is labelled from the nearest window in time).
 */
export function slidingWindows(
  regions: SpeechSegment[],
  windowSeconds: number,
  stepSeconds: number,
  minSeconds: number,
): TimedWindow[] {
  const windows: TimedWindow[] = [];
  for (const region of regions) {
    const length = region.end - region.start;
    if (length < minSeconds) continue;
    // (within rounding: a region a hair longer than a window would otherwise get none of its own)
    if (length <= windowSeconds + 1e-9) {
      windows.push({ start: region.start, end: region.end });
      continue;
    }
    let start = region.start;
    for (; start + windowSeconds < region.end - 1e-9; start += stepSeconds) {
      windows.push({ start, end: start + windowSeconds });
    }
    const last = windows[windows.length - 1]!;
    if (last.end < region.end - 1e-9) windows.push({ start: region.end - windowSeconds, end: region.end });
  }
  return windows;
}

/**
 * Turns from labelled windows: every speech region is cut where the labels of neighbouring windows change, halfway
 * between their centres; speech without a window of its own takes the label of the window whose centre is nearest.
 * Same-speaker turns separated by less than `joinPauseSeconds` are joined.
 */
export function turnsFromWindows(
  regions: SpeechSegment[],
  windows: TimedWindow[],
  labels: string[],
  joinPauseSeconds: number,
): SpeakerTurn[] {
  if (windows.length === 0) return [];
  const centres = windows.map((w) => (w.start + w.end) / 2);
  const labelAt = (t: number): string => {
    // binary search for the nearest centre
    let lo = 0;
    let hi = centres.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (centres[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    const before = lo > 0 ? lo - 1 : lo;
    return labels[Math.abs(centres[before]! - t) <= Math.abs(centres[lo]! - t) ? before : lo]!;
  };
  const pieces: SpeakerTurn[] = [];
  for (const region of regions) {
    // Cut points: midpoints between consecutive window centres inside the region whose labels differ.
    const inside = windows
      .map((w, i) => ({ centre: centres[i]!, label: labels[i]! }))
      .filter((w) => w.centre >= region.start && w.centre <= region.end);
    let start = region.start;
    let speaker = inside[0]?.label ?? labelAt((region.start + region.end) / 2);
    for (let i = 1; i < inside.length; i++) {
      if (inside[i]!.label === speaker) continue;
      const cut = (inside[i - 1]!.centre + inside[i]!.centre) / 2;
      pieces.push({ start, end: cut, speaker });
      start = cut;
      speaker = inside[i]!.label;
    }
    pieces.push({ start, end: region.end, speaker });
  }
  const turns: SpeakerTurn[] = [];
  for (const piece of pieces) {
    const last = turns[turns.length - 1];
    if (last && last.speaker === piece.speaker && piece.start - last.end < joinPauseSeconds) {
      last.end = piece.end;
    } else {
      turns.push({ ...piece });
    }
  }
  return turns;
}
