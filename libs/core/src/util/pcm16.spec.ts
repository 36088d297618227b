import { floatToPcm16, pcm16ToFloat } from './pcm16.js';

/** The byte-by-byte little-endian encoding the conversions must match whatever path they take. */
function referencePcm16(samples: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    const v = Math.round(s < 0 ? s * 0x8000 : s * 0x7fff) & 0xffff;
    out[2 * i] = v & 0xff; // NaN & 0xffff is 0: silence
    out[2 * i + 1] = v >> 8;
  }
  return out;
}

describe('PCM16 conversions (stored chunk audio)', () => {
  it('writes little-endian 16-bit samples, clamping beyond ±1, rounding to the nearest step, NaN as silence', () => {
    const samples = [
      0,
      1,
      -1,
      1.5,
      -7,
      0.5,
      -0.5,
      1 / 0x7fff,
      -1 / 0x8000,
      0.25 / 0x7fff,
      -0.75 / 0x8000,
      NaN,
    ];
    const bytes = floatToPcm16(samples);
    expect(bytes).toEqual(referencePcm16(samples));
    expect([bytes.readInt16LE(2), bytes.readInt16LE(4), bytes.readInt16LE(6), bytes.readInt16LE(8)]).toEqual([
      32767, -32768, 32767, -32768,
    ]);
    const random = Float32Array.from({ length: 16_000 }, (_, i) => Math.sin(i * 0.37) * 1.2);
    expect(floatToPcm16(random)).toEqual(referencePcm16(random));
  });

  it('reads every 16-bit value back to the float it stands for, from a buffer at any offset', () => {
    const all = Buffer.alloc(65_536 * 2);
    for (let v = -32_768; v < 32_768; v++) all.writeInt16LE(v, (v + 32_768) * 2);
    const floats = pcm16ToFloat(all);
    expect(floats.length).toBe(65_536);
    for (let v = -32_768; v < 32_768; v++) {
      expect(floats[v + 32_768]).toBe(Math.fround(v < 0 ? v / 0x8000 : v / 0x7fff));
    }
    // a view at an odd offset of a larger buffer (as a pooled Buffer can be), with an odd trailing byte
    const shifted = Buffer.alloc(all.length + 2);
    all.copy(shifted, 1);
    expect(pcm16ToFloat(shifted.subarray(1, shifted.length))).toEqual(floats);
    // the round trip: every step survives
    expect(floatToPcm16(floats)).toEqual(all);
  });
});
