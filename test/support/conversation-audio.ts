import { readFileSync } from 'node:fs';
import { librispeechDevFiles } from '../../tooling/shared-data.js';

const RATE = 16_000;

/** Who really speaks when in a built conversation (seconds). */
export interface SpokenTurn {
  speaker: string;
  start: number;
  end: number;
}

/**
 * A conversation of real read speech: `turns` utterances of LibriSpeech dev speakers taken in turn (A, B, A, …),
 * the n-th file of each speaker from `firstFile` on, each cut to `maxTurnSeconds`, with `pauseSeconds` between them.
 */
export async function buildDialogue(
  audio: { decode(bytes: Buffer): Promise<{ samples: Float32Array }> },
  speakers: string[],
  options: { turns: number; firstFile?: number; maxTurnSeconds?: number; pauseSeconds?: number },
): Promise<{ samples: Float32Array; turns: SpokenTurn[] }> {
  const pause = Math.round((options.pauseSeconds ?? 0.8) * RATE);
  const pieces: Float32Array[] = [];
  const turns: SpokenTurn[] = [];
  let at = pause;
  for (let i = 0; i < options.turns; i++) {
    const speaker = speakers[i % speakers.length]!;
    const file = librispeechDevFiles(speaker)[(options.firstFile ?? 2) + Math.floor(i / speakers.length)]!;
    const decoded = await audio.decode(readFileSync(file));
    const clip = decoded.samples.subarray(0, Math.round((options.maxTurnSeconds ?? 12) * RATE));
    pieces.push(clip);
    turns.push({ speaker, start: at / RATE, end: (at + clip.length) / RATE });
    at += clip.length + pause;
  }
  const samples = new Float32Array(at);
  pieces.forEach((clip, i) => samples.set(clip, Math.round(turns[i]!.start * RATE)));
  return { samples, turns };
}

/** The speaker who talks most over [start, end] in `turns`, or null when nobody does. */
export function speakerDuring(turns: SpokenTurn[], start: number, end: number): string | null {
  const overlap = new Map<string, number>();
  for (const t of turns) {
    const o = Math.min(end, t.end) - Math.max(start, t.start);
    if (o > 0) overlap.set(t.speaker, (overlap.get(t.speaker) ?? 0) + o);
  }
  let best: string | null = null;
  for (const [speaker, seconds] of overlap) if (!best || seconds > overlap.get(best)!) best = speaker;
  return best;
}
