import { seededRandom } from '@mira/core';
import { foregroundSpeech } from './foreground-gate.js';

const RATE = 16000;

/** Syllable-like bursts (4 per second, 60 % of the time on) of noise at `db` dB, from `start` to `end` seconds. */
function speechLike(into: Float32Array, start: number, end: number, db: number, random: () => number) {
  const gain = 10 ** (db / 20);
  for (let i = Math.round(start * RATE); i < Math.round(end * RATE); i++) {
    const phase = ((i / RATE) * 4) % 1;
    into[i]! += phase < 0.6 ? gain * (random() - 0.5) : 0;
  }
}

describe('foreground gate', () => {
  const random = seededRandom(5);
  // a speaker at 0 dB for 3 s, a background voice 25 dB under for 1.5 s (a pause the VAD did not notice), the speaker
  // again for 2.5 s; then 1 s of that background alone, its own VAD region
  const audio = new Float32Array(RATE * 8);
  speechLike(audio, 0, 3, -10, random);
  speechLike(audio, 3, 4.5, -35, random);
  speechLike(audio, 4.5, 7, -10, random);
  speechLike(audio, 7, 8, -35, random);
  const regions = [
    { start: 0, end: 7 },
    { start: 7, end: 8 },
  ];

  it('drops the stretches far below the foreground, within a region and as a region of their own', () => {
    const kept = foregroundSpeech(audio, regions, 15);
    expect(kept).toHaveLength(2);
    // edges within the 0.3 s over which the level is read
    expect(kept[0]!.start).toBe(0);
    expect(Math.abs(kept[0]!.end - 3)).toBeLessThan(0.2);
    expect(Math.abs(kept[1]!.start - 4.5)).toBeLessThan(0.2);
    expect(kept[1]!.end).toBe(7);
  });

  it('keeps the speakers’ own pauses between syllables, and everything with the gate off or wide open', () => {
    const kept = foregroundSpeech(audio, [{ start: 0, end: 3 }], 15);
    expect(kept).toEqual([{ start: 0, end: 3 }]);
    expect(foregroundSpeech(audio, regions, 0)).toBe(regions);
    expect(foregroundSpeech(audio, regions, 40)).toEqual(regions);
    expect(foregroundSpeech(audio, [], 15)).toEqual([]);
  });
});
