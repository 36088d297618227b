import { decodeSpeechFile } from '../../../../../test/support/audio.js';
import { opusPackets } from '../../../../../test/support/opus-packets.js';
import { librispeechDevFiles } from '../../../../../tooling/shared-data.js';
import { concatSamples } from '../../dsp/signal.js';
import { LiveOpusDecoder } from './opus-live.js';

/** The best normalised correlation of `decoded` with `source` over lags 0…maxLag (the codec's delay). */
function alignedCorrelation(source: Float32Array, decoded: Float32Array, maxLag = 480): number {
  let best = -1;
  for (let lag = 0; lag <= maxLag; lag += 2) {
    const n = Math.min(source.length, decoded.length - lag);
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < n; i++) {
      const a = source[i]!;
      const b = decoded[i + lag]!;
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    best = Math.max(best, ab / Math.sqrt(aa * bb));
  }
  return best;
}

describe('LiveOpusDecoder (bare Opus packets of a live socket, real libopus)', () => {
  let speech: Float32Array;
  const decoders: LiveOpusDecoder[] = [];
  const open = async () => {
    const decoder = await LiveOpusDecoder.create();
    decoders.push(decoder);
    return decoder;
  };

  beforeAll(async () => {
    speech = (await decodeSpeechFile(librispeechDevFiles('1688')[0]!)).subarray(0, 16_000 * 6);
  });
  afterAll(() => decoders.forEach((d) => d.free()));

  it.each([
    { rate: 48000, frameMs: 20, bitrate: '24k' },
    { rate: 16000, frameMs: 20, bitrate: '16k' },
    { rate: 48000, frameMs: 60, bitrate: '12k' },
    { rate: 16000, frameMs: 10, bitrate: '32k' },
  ] as const)(
    'decodes speech encoded at $rate Hz in $frameMs ms packets to 16 kHz, packet by packet',
    async (encoding) => {
      const packets = opusPackets(speech, encoding);
      const decoder = await open();
      const out = packets.map((p) => decoder.decode(p));
      // every packet is its frame's length of 16 kHz audio
      for (const samples of out) expect(samples?.length).toBe(encoding.frameMs * 16);
      const decoded = concatSamples(out as Float32Array[]);
      expect(decoded.length).toBeGreaterThanOrEqual(speech.length);
      // the speech itself: waveform-correlated with the source once the codec's lookahead is allowed for
      expect(alignedCorrelation(speech, decoded)).toBeGreaterThan(0.8);
    },
    60_000,
  );

  it('answers null for what is not one valid Opus packet, and decodes on afterwards', async () => {
    const decoder = await open();
    const good = opusPackets(speech.subarray(0, 16_000), { rate: 48000, frameMs: 20, bitrate: '24k' });
    expect(decoder.decode(good[0]!)).toHaveLength(320);
    expect(decoder.decode(new Uint8Array(0))).toBeNull();
    // code 3 (several frames) without its frame-count byte, and with a count of zero
    expect(decoder.decode(Uint8Array.of(0x03))).toBeNull();
    expect(decoder.decode(Uint8Array.of(0x03, 0x00))).toBeNull();
    // three 60 ms SILK frames: 180 ms, more than a packet may hold
    expect(decoder.decode(Uint8Array.of((3 << 3) | 3, 3, 0, 0, 0))).toBeNull();
    decoder.restart();
    expect(decoder.decode(good[1]!)).toHaveLength(320);
  });
});
