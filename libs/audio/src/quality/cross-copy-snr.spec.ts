import { gaussian, seededRandom } from '@mira/core';
import { decimatedSampleLag, envelopeLag, frameEnergies, sampleLag } from './copy-alignment.js';
import { compareCopies, compareCopiesAsync, pairSnr, percentileSnrDb } from './cross-copy-snr.js';

/** Deterministic "speech": syllable-like bursts of a few harmonics with a varying pitch and pauses (2.5 s). */
function speech(seed: number): Float32Array {
  const r = seededRandom(seed);
  const out = new Float32Array(40000);
  let i = 0;
  while (i < out.length) {
    const len = 1600 + Math.floor(r() * 3200);
    const f0 = 100 + 150 * r();
    const amp = 0.05 + 0.15 * r();
    for (let k = 0; k < len && i < out.length; k++, i++) {
      const env = Math.sin((Math.PI * k) / len);
      let s = 0;
      for (let h = 1; h <= 6; h++) s += Math.sin((2 * Math.PI * f0 * h * k) / 16000) / h;
      out[i] = amp * env * s;
    }
    i += Math.floor(r() * 4000); // pause
  }
  return out;
}

/** Another talker: syllable-like bursts of low-passed noise (unrelated to `speech` at every lag, as real voices are). */
function otherVoice(seed: number): Float32Array {
  const r = seededRandom(seed);
  const out = new Float32Array(40000);
  let i = 0;
  let v = 0;
  while (i < out.length) {
    const len = 1600 + Math.floor(r() * 3200);
    const amp = 0.2 + 0.4 * r();
    for (let k = 0; k < len && i < out.length; k++, i++) {
      v = 0.9 * v + 0.1 * gaussian(r);
      out[i] = amp * Math.sin((Math.PI * k) / len) * v;
    }
    i += Math.floor(r() * 4000);
  }
  return out;
}

type NoiseKind = 'white' | 'brown' | 'bursts';

function noise(kind: NoiseKind, n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const gauss = () => gaussian(r);
  const out = new Float32Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (kind === 'white') out[i] = gauss();
    else if (kind === 'brown') out[i] = v = 0.995 * v + 0.1 * gauss();
    else out[i] = gauss() * (Math.floor(i / 2400) % 3 === 0 ? 3 : 0.3); // loud every third 150 ms
  }
  return out;
}

const power = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0) / x.length;

/** A microphone's copy: lead-in, the speech at `gain`, a tail; noise of `kind` at `snrDb` over the speech. */
function mic(
  clean: Float32Array,
  gain: number,
  snrDb: number,
  kind: NoiseKind,
  leadSamples: number,
  seed: number,
) {
  const n = leadSamples + clean.length + 4000;
  const nz = noise(kind, n, seed);
  const scale = Math.sqrt((power(clean) * gain * gain) / 10 ** (snrDb / 10) / power(nz));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = i >= leadSamples && i < leadSamples + clean.length ? clean[i - leadSamples]! * gain : 0;
    out[i] = s + scale * nz[i]!;
  }
  return out;
}

describe('cross-copy comparison of the same sound (arbitration feature)', () => {
  const clean = speech(7);

  it('ranks copies by SNR, not loudness: a quiet clean microphone beats a loud noisy one', () => {
    const copies = [mic(clean, 1.4, 6, 'white', 3000, 1), mic(clean, 0.2, 14, 'white', 5200, 2)];
    const snr = compareCopies(copies).snrDb;
    expect(snr[1]).toBeGreaterThan(snr[0]!);
    // Coherent estimates land near the constructed SNRs (same offset for both: the speech's own pauses).
    expect(snr[1]! - snr[0]!).toBeGreaterThan(6);
    expect(snr[1]! - snr[0]!).toBeLessThan(10);
  });

  it('is not fooled by non-stationary noise (bursts, low-frequency drift) on the better copy', () => {
    const truth = [12, 9, 4];
    const copies = [
      mic(clean, 0.5, truth[0]!, 'bursts', 4000, 3),
      mic(clean, 0.9, truth[1]!, 'white', 2500, 4),
      mic(clean, 0.7, truth[2]!, 'brown', 6000, 5),
    ];
    const snr = compareCopies(copies).snrDb;
    expect(snr[0]).toBeGreaterThan(snr[1]!);
    expect(snr[1]).toBeGreaterThan(snr[2]!);
  });

  it('measures a pair coherently: gains do not change the SNRs, unrelated sounds share nothing', () => {
    const a = mic(clean, 0.3, 10, 'white', 3200, 6);
    const b = mic(clean, 1.0, 3, 'white', 3200, 7);
    const louder = Float32Array.from(a, (v) => v * 3);
    const first = pairSnr(a, b, 0);
    const second = pairSnr(louder, b, 0);
    expect(first.snrA - first.snrB).toBeGreaterThan(5);
    expect(second.snrA).toBeCloseTo(first.snrA, 6);
    expect(second.snrB).toBeCloseTo(first.snrB, 6);
    const other = mic(speech(99), 1.0, 10, 'white', 3200, 8);
    expect(pairSnr(a, other, 0).coherence).toBeLessThan(0.02);
    // A copy without a shared sound keeps its own percentile SNR.
    expect(compareCopies([a, other]).snrDb[1]).toBeCloseTo(percentileSnrDb(frameEnergies(other)), 6);
  });

  it('aligns copies to the sample: envelope lag first, then the waveform cross-correlation', () => {
    const a = mic(clean, 0.5, 15, 'white', 3000, 9);
    const b = mic(clean, 0.8, 15, 'white', 3000 + 12 * 320 + 137, 10);
    const coarse = envelopeLag(frameEnergies(a), frameEnergies(b));
    expect(Math.abs(coarse - 12)).toBeLessThanOrEqual(1);
    expect(sampleLag(a, b, coarse * 320, 400)).toBe(12 * 320 + 137);
    // and the other way round (negative lag)
    expect(sampleLag(b, a, -coarse * 320, 400)).toBe(-(12 * 320 + 137));
  });

  it('finds the lag of the full-rate cross-correlation, searching it decimated only when its peak stands out', () => {
    // Short copies (the whole clip is the window), so the lag is the argmax of Σ a[n]·b[n + L] over the clip.
    const exact = (a: Float32Array, b: Float32Array, around: number, radius: number) => {
      let best = around;
      let bestValue = -Infinity;
      for (let lag = around - radius; lag <= around + radius; lag++) {
        let sum = 0;
        for (let n = 0; n < a.length; n++) if (n + lag >= 0 && n + lag < b.length) sum += a[n]! * b[n + lag]!;
        if (sum > bestValue) [best, bestValue] = [lag, sum];
      }
      return best;
    };
    // A reverberant room: the direct sound plus a dense decaying tail, a different one per microphone.
    const room = (x: Float32Array, delay: number, seed: number, snrDb: number, tail: number) => {
      const r = seededRandom(seed);
      const h = new Float32Array(3000);
      h[0] = 1;
      for (let i = 1; i < h.length; i++) h[i] = tail * gaussian(r) * Math.exp(-i / 700);
      const out = new Float32Array(x.length);
      for (let n = delay; n < x.length; n++) {
        let s = 0;
        for (let i = 0; i < h.length && i <= n - delay; i += 3) s += h[i]! * x[n - delay - i]!;
        out[n] = s;
      }
      const power = out.reduce((p, v) => p + v * v, 0) / out.length;
      const std = Math.sqrt(power / 10 ** (snrDb / 10));
      return out.map((v) => v + std * gaussian(r));
    };
    const trusted: boolean[] = [];
    for (let k = 0; k < 6; k++) {
      // unvoiced bursts in a mild room; a voiced sound (its periods: peaks of similar height) in a noisy, reverberant one
      const source = (k < 3 ? otherVoice(70 + k) : speech(70 + k)).subarray(0, 7000);
      const [snrDb, tail] = k < 3 ? [15, 0.1] : [-3, 0.35];
      const a = room(source, 30, 80 + k, snrDb, tail);
      const b = room(source, 30 + 7 * k + 90, 90 + k, snrDb, tail);
      const around = envelopeLag(frameEnergies(a), frameEnergies(b)) * 320;
      const lag = exact(a, b, around, 400);
      expect(sampleLag(a, b, around, 400)).toBe(lag);
      const decimated = decimatedSampleLag(a, b, around, 400);
      if (decimated !== null) expect(decimated).toBe(lag);
      trusted.push(decimated !== null);
    }
    // both ways were taken: the decimated search where its peak stood out, the full-rate one elsewhere
    expect(trusted).toContain(true);
    expect(trusted).toContain(false);
  });

  it('eight microphones: the cleanest wins, and the event-loop-friendly version gives the same figures', async () => {
    const snrs = [3, 8, 15, 5, 11, 2, 7, 9];
    const copies = snrs.map((snr, k) => mic(clean, 0.3 + 0.15 * k, snr, 'white', 2000 + 300 * k, 20 + k));
    const sync = compareCopies(copies).snrDb;
    expect(sync.indexOf(Math.max(...sync))).toBe(2);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const async = (await compareCopiesAsync(copies)).snrDb;
    clearInterval(ticker);
    expect(async).toEqual(sync);
    expect(turns).toBeGreaterThan(0); // timers ran while the pairs were measured
  });

  it('copies of one sound are one sound, whatever their SNR and lag', () => {
    const copies = [
      mic(clean, 0.5, 15, 'white', 3000, 40),
      mic(clean, 0.9, 4, 'brown', 4100, 41),
      mic(clean, 0.2, 0, 'white', 2600, 42),
    ];
    expect(compareCopies(copies).sounds).toEqual([[0, 1, 2]]);
  });

  it('two rooms talking at once are two sounds; their SNRs come from their own room', () => {
    const other = otherVoice(123);
    const copies = [
      mic(clean, 0.5, 14, 'white', 3000, 43),
      mic(other, 0.8, 12, 'white', 2000, 44),
      mic(clean, 0.9, 6, 'white', 3900, 45),
      mic(other, 0.3, 5, 'brown', 2500, 46),
    ];
    const { sounds, snrDb } = compareCopies(copies);
    expect(sounds).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(snrDb[0]).toBeGreaterThan(snrDb[2]!);
    expect(snrDb[1]).toBeGreaterThan(snrDb[3]!);
  });

  it('a faint copy sharing nothing with the others is no sound of its own: it stays with the clear sound', () => {
    const hiss = Float32Array.from(noise('white', clean.length + 7000, 47), (v) => v * 0.01);
    const copies = [mic(clean, 0.5, 12, 'white', 3000, 48), hiss];
    expect(compareCopies(copies).sounds).toEqual([[0, 1]]);
  });

  it('eight microphones in two rooms: the second room is compared within itself though none of its copies is among the best-heard', () => {
    const other = otherVoice(321);
    const roomA = [20, 18, 16, 9, 7].map((snr, k) =>
      mic(clean, 0.4 + 0.1 * k, snr, 'white', 2000 + 400 * k, 50 + k),
    );
    const roomB = [12, 10, 8].map((snr, k) =>
      mic(other, 0.5 + 0.2 * k, snr, 'white', 2500 + 300 * k, 60 + k),
    );
    expect(compareCopies([...roomA, ...roomB]).sounds).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7],
    ]);
  });
});
