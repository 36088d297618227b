import {
  copyAudioScore,
  crossCopySnrDb,
  envelopeLag,
  frameEnergies,
  percentileSnrDb,
} from './copy-comparison.js';

/** Deterministic "speech": bursts of a harmonic tone with pauses, and white noise at a chosen level. */
function copy(snrDb: number, seed: number, leadFrames: number): Float32Array {
  let a = seed;
  const rand = () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const lead = leadFrames * 320;
  const out = new Float32Array(lead + 16000 * 2);
  const noiseAmp = 0.1 * 10 ** (-snrDb / 20) * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) {
    const t = i - lead;
    const on = t >= 0 && Math.floor(t / 2400) % 2 === 0;
    const s = on ? 0.1 * Math.SQRT2 * Math.sin((2 * Math.PI * 220 * t) / 16000) : 0;
    out[i] = s + noiseAmp * rand();
  }
  return out;
}

describe('cross-copy comparison of the same sound (arbitration feature)', () => {
  it('ranks copies of one sound by their SNR even with different VAD cuts', () => {
    const copies = [copy(5, 1, 10), copy(20, 2, 3), copy(12, 3, 20)];
    const snr = crossCopySnrDb(copies);
    expect(snr[1]).toBeGreaterThan(snr[2]!);
    expect(snr[2]).toBeGreaterThan(snr[0]!);
  });

  it('finds the offset between two envelopes and maps SNR to a clipped 0–100 score', () => {
    const a = frameEnergies(copy(20, 4, 0));
    const b = frameEnergies(copy(20, 5, 12));
    expect(envelopeLag(a, b)).toBe(12);
    expect(percentileSnrDb(a)).toBeGreaterThan(10);
    expect(copyAudioScore(-10, 0)).toBe(0);
    expect(copyAudioScore(50, 0)).toBe(100);
    expect(copyAudioScore(20, 0.02)).toBeCloseTo(25, 5);
  });
});
