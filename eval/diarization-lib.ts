/**
 * Conversations built from single-speaker recordings, and the diarization error rate (tooling for
 * eval/diarization.eval.ts; pure functions, no models).
 */
import { seededRandom } from '@mira/core';

const RATE = 16000;

export interface ReferenceSegment {
  start: number;
  end: number;
  speaker: string;
}

export interface Conversation {
  name: string;
  samples: Float32Array;
  /** Where each speaker really speaks (energy of their own clean signal, pauses over 0.3 s excluded). */
  reference: ReferenceSegment[];
  speakers: string[];
}

export interface SpeakerMaterial {
  speaker: string;
  /** Clean 16 kHz recordings of this speaker. */
  clips: Float32Array[];
}

/**
 * Speech of one clean signal by frame energy (10 ms frames above 35 dB under the loudest frame), gaps under 0.3 s
 * filled and islands under 0.1 s dropped: a reference independent of the VAD under test.
 */
export function energySpeech(x: Float32Array, offset: number): Array<[number, number]> {
  const frame = RATE / 100;
  const energies: number[] = [];
  for (let i = 0; i + frame <= x.length; i += frame) {
    let e = 0;
    for (let j = i; j < i + frame; j++) e += x[j]! * x[j]!;
    energies.push(10 * Math.log10(e / frame + 1e-12));
  }
  const floor = Math.max(...energies) - 35;
  const runs: Array<[number, number]> = [];
  energies.forEach((e, i) => {
    if (e < floor) return;
    const last = runs[runs.length - 1];
    if (last && i - last[1] <= 30) last[1] = i + 1;
    else runs.push([i, i + 1]);
  });
  return runs.filter(([s, e]) => e - s >= 10).map(([s, e]) => [offset + s / 100, offset + e / 100]);
}

/** A crop of `clip` that starts and ends on speech (energy), `seconds` long at most. */
function cropOnSpeech(clip: Float32Array, seconds: number, random: () => number): Float32Array {
  const speech = energySpeech(clip, 0);
  if (speech.length === 0) return clip;
  const first = speech[0]![0];
  const last = speech[speech.length - 1]![1];
  const span = last - first;
  const length = Math.min(seconds, span);
  const start = first + random() * (span - length);
  // snap the start to the beginning of a speech run at or after it, so a turn does not begin mid-pause
  const run = speech.find(([, e]) => e > start) ?? speech[0]!;
  const from = Math.max(run[0], start);
  const to = Math.min(last, from + length);
  return clip.subarray(Math.floor(from * RATE), Math.ceil(to * RATE));
}

export interface SceneOptions {
  seed: number;
  speakers: number;
  /** Total speech to lay out (seconds). */
  seconds: number;
  /** Chance that a turn starts before the previous one ends. */
  overlapChance: number;
}

/**
 * A conversation: turns of 1–15 s taken in random order from `speakers` voices (never the same voice twice in a row),
 * separated by pauses of 0.2–2 s or overlapping the previous turn by 0.2–1 s; each voice at its own level (±3 dB).
 */
export function buildConversation(pool: SpeakerMaterial[], options: SceneOptions): Conversation {
  const random = seededRandom(options.seed);
  const chosen = [...pool].sort(() => random() - 0.5).slice(0, options.speakers);
  const gains = chosen.map(() => 10 ** ((random() * 6 - 3) / 20));
  const placed: Array<{ at: number; audio: Float32Array; voice: number }> = [];
  let cursor = 0.5;
  let previous = -1;
  let laid = 0;
  while (laid < options.seconds) {
    let voice = Math.floor(random() * chosen.length);
    if (voice === previous) voice = (voice + 1 + Math.floor(random() * (chosen.length - 1))) % chosen.length;
    const material = chosen[voice]!;
    const clip = material.clips[Math.floor(random() * material.clips.length)]!;
    const turn = cropOnSpeech(clip, 1 + random() * 14, random);
    const overlap = previous >= 0 && random() < options.overlapChance;
    const at = overlap ? Math.max(0, cursor - (0.2 + random() * 0.8)) : cursor + 0.2 + random() * 1.8;
    placed.push({ at, audio: turn, voice });
    cursor = Math.max(cursor, at + turn.length / RATE);
    laid += turn.length / RATE;
    previous = voice;
  }
  const samples = new Float32Array(Math.ceil((cursor + 0.5) * RATE));
  const reference: ReferenceSegment[] = [];
  for (const p of placed) {
    const offset = Math.round(p.at * RATE);
    const gain = gains[p.voice]! * (0.1 / (rmsOf(p.audio) + 1e-9));
    for (let i = 0; i < p.audio.length; i++) samples[offset + i]! += gain * p.audio[i]!;
    for (const [start, end] of energySpeech(p.audio, offset / RATE)) {
      reference.push({ start, end, speaker: chosen[p.voice]!.speaker });
    }
  }
  return {
    name: `${options.speakers}spk-seed${options.seed}`,
    samples,
    reference,
    speakers: chosen.map((c) => c.speaker),
  };
}

function rmsOf(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

export interface DerBreakdown {
  /** Seconds of reference speech scored (outside the collars), counting each overlapping speaker. */
  scored: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  der: number;
}

/**
 * Diarization error rate as NIST md-eval scores it, on 10 ms frames: reference segment boundaries ± `collar` seconds
 * are not scored, overlapped speech is, and hypothesis speakers are mapped one-to-one onto reference speakers so as
 * to maximise the overlap (exhaustively: at most a handful of speakers here).
 */
export function diarizationError(
  reference: ReferenceSegment[],
  hypothesis: ReferenceSegment[],
  collar = 0.25,
): DerBreakdown {
  const end = Math.max(0, ...reference.map((r) => r.end), ...hypothesis.map((h) => h.end));
  const frames = Math.ceil(end * 100) + 1;
  const refSpeakers = [...new Set(reference.map((r) => r.speaker))];
  const hypSpeakers = [...new Set(hypothesis.map((h) => h.speaker))];
  const mark = (segments: ReferenceSegment[], names: string[]) =>
    names.map((name) => {
      const on = new Uint8Array(frames);
      for (const s of segments.filter((x) => x.speaker === name)) {
        for (let f = Math.round(s.start * 100); f < Math.round(s.end * 100); f++) on[f] = 1;
      }
      return on;
    });
  const ref = mark(reference, refSpeakers);
  const hyp = mark(hypothesis, hypSpeakers);
  const scored = new Uint8Array(frames).fill(1);
  for (const r of reference) {
    for (const edge of [r.start, r.end]) {
      for (
        let f = Math.max(0, Math.round((edge - collar) * 100));
        f < Math.min(frames, Math.round((edge + collar) * 100));
        f++
      ) {
        scored[f] = 0;
      }
    }
  }
  const overlap = hyp.map((h) => ref.map((r) => r.reduce((n, v, f) => n + (v & h[f]! & scored[f]!), 0)));
  const mapping = bestMapping(overlap, refSpeakers.length);
  const totals = { scored: 0, missed: 0, falseAlarm: 0, confusion: 0 };
  for (let f = 0; f < frames; f++) {
    if (!scored[f]) continue;
    const nRef = ref.reduce((n, r) => n + r[f]!, 0);
    const nHyp = hyp.reduce((n, h) => n + h[f]!, 0);
    let correct = 0;
    hyp.forEach((h, i) => {
      if (h[f] && mapping[i]! >= 0 && ref[mapping[i]!]![f]) correct += 1;
    });
    totals.scored += nRef;
    totals.missed += Math.max(0, nRef - nHyp);
    totals.falseAlarm += Math.max(0, nHyp - nRef);
    totals.confusion += Math.min(nRef, nHyp) - correct;
  }
  const s = (frames10: number) => frames10 / 100;
  const errors = totals.missed + totals.falseAlarm + totals.confusion;
  return {
    scored: s(totals.scored),
    missed: s(totals.missed),
    falseAlarm: s(totals.falseAlarm),
    confusion: s(totals.confusion),
    der: totals.scored > 0 ? errors / totals.scored : 0,
  };
}

/** For each hypothesis speaker, the reference speaker it maps to (or -1), maximising total overlap. */
function bestMapping(overlap: number[][], refCount: number): number[] {
  let best: number[] = overlap.map(() => -1);
  let bestScore = -1;
  const assign = (i: number, used: Set<number>, current: number[], score: number) => {
    if (i === overlap.length) {
      if (score > bestScore) {
        bestScore = score;
        best = [...current];
      }
      return;
    }
    current.push(-1);
    assign(i + 1, used, current, score);
    current.pop();
    for (let r = 0; r < refCount; r++) {
      if (used.has(r)) continue;
      used.add(r);
      current.push(r);
      assign(i + 1, used, current, score + overlap[i]![r]!);
      current.pop();
      used.delete(r);
    }
  };
  assign(0, new Set(), [], 0);
  return best;
}
