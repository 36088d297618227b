import { AppError } from '@mira/core';
import { makeBomb, type BombFormat } from '../../../../test/support/audio-bombs.js';
import { DefaultAudioDecoder } from './audio-decoder.js';
import { decodeFlac } from './codecs/flac.js';
import { decodeMpeg } from './codecs/mpeg.js';
import { decodeOgg } from './codecs/ogg.js';
import { decodeWebm } from './codecs/webm.js';
import { MonoCollector } from './mono-collector.js';
import { DecodeRefusal } from './refusal.js';
import { CONVERTERS_KEPT, LibSampleRateResampler, UnsupportedRateError } from './resampler.js';

const MAX_SECONDS = 20;

/** The longest frame or packet each bomb's codec decodes (FLAC 65,535 samples at 48 kHz, Opus 120 ms, ...). */
const ONE_UNIT_SECONDS: Record<BombFormat, number> = {
  flac: 65_535 / 48_000,
  'ogg-opus': 0.12,
  'ogg-vorbis': 4096 / 8000,
  'webm-opus': 0.12,
  mp3: 1152 / 16_000,
  wav: 0,
};

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('audio decode: limits hold whatever the file claims', () => {
  const decoder = new DefaultAudioDecoder({ maxBytes: 10 * 1_048_576, maxSeconds: MAX_SECONDS });
  afterAll(() => decoder.close());

  it.each(['flac', 'ogg-opus', 'ogg-vorbis', 'mp3'] as const)(
    'a %s bomb (10 min hidden from its headers) stops decoding one frame past the limit: 413 AUDIO_TOO_LONG',
    async (format) => {
      const err = await refusalOf(decoder.decode(makeBomb(format, { seconds: 600 })));
      expect(err.code).toBe('AUDIO_TOO_LONG');
      expect(err.detail).toContain('decoding stopped there');
      const seconds = Number(/more than ([\d.]+) s/.exec(err.detail)?.[1]);
      expect(seconds).toBeGreaterThan(MAX_SECONDS);
      expect(seconds).toBeLessThanOrEqual(MAX_SECONDS + ONE_UNIT_SECONDS[format] + 0.01);
    },
  );

  it('a WebM bomb is counted packet by packet, laced runs included: refused before decoding', async () => {
    const err = await refusalOf(decoder.decode(makeBomb('webm-opus', { seconds: 600 })));
    expect(err.detail).toMatch(/^The audio lasts 6\d\d\.\d\d s; the limit is 20 s$/);
  });

  it.each([
    ['flac', decodeFlac],
    ['ogg-opus', decodeOgg],
    ['ogg-vorbis', decodeOgg],
    ['webm-opus', decodeWebm],
    ['mp3', decodeMpeg],
  ] as const)('the %s decoder itself stops one frame past the limit', async (format, decode) => {
    const sink = new MonoCollector(MAX_SECONDS);
    const err = await decode(makeBomb(format, { seconds: 600 }), sink).catch((e: unknown) => e);
    expect((err as DecodeRefusal).refusal).toEqual({
      kind: 'too_long',
      seconds: expect.any(Number),
      stoppedEarly: true,
    });
    expect(sink.seconds).toBeLessThanOrEqual(MAX_SECONDS + ONE_UNIT_SECONDS[format] + 0.01);
  });

  it('a WAV longer than the limit is refused from its layout, before its samples are read', async () => {
    const err = await refusalOf(decoder.decode(makeBomb('wav', { seconds: 600 })));
    expect(err.code).toBe('AUDIO_TOO_LONG');
    expect(err.detail).toBe(`The audio lasts 600.00 s; the limit is ${MAX_SECONDS} s`);
  });

  it('sample rates above 192 kHz and more than 8 channels are 415 AUDIO_UNDECODABLE, not a crash', async () => {
    const wav = makeBomb('wav', { seconds: 1 });
    wav.writeUInt32LE(200_000, 24);
    const tooFast = await refusalOf(decoder.decode(wav));
    expect([tooFast.status, tooFast.code]).toEqual([415, 'AUDIO_UNDECODABLE']);
    expect(tooFast.detail).toContain('200000 Hz');
    // Opus allows 255 output channels from one stream (mapping family 255): 255 copies of every sample
    const ogg = makeBomb('ogg-opus', { seconds: 60 });
    const head = ogg.indexOf('OpusHead');
    const wide = Buffer.concat([ogg.subarray(0, head + 9), Buffer.from([255]), ogg.subarray(head + 10)]);
    const tooWide = await refusalOf(decoder.decode(wide));
    expect([tooWide.status, tooWide.code]).toEqual([415, 'AUDIO_UNDECODABLE']);
  });

  it('the collector takes one unit first, then calls sized by the room left, and refuses past the limit', async () => {
    const sink = new MonoCollector(1);
    const sizes: number[] = [];
    const units = Array.from({ length: 100 }, () => 0);
    const err = await sink
      .feed(units, { maxFramesPerUnit: 1000, channels: 1 }, (batch) => {
        sizes.push(batch.length);
        return { channelData: [new Float32Array(batch.length * 1000)], sampleRate: 8000, errors: [] };
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeRefusal);
    expect((err as DecodeRefusal).refusal).toEqual({ kind: 'too_long', seconds: 9 / 8, stoppedEarly: true });
    // 1 unit (rate learnt), then 7 of the 7 that fit, then 1: 9,000 frames held at most for an 8,000 limit
    expect(sizes).toEqual([1, 7, 1]);
  });
});

describe('resampler: a bounded set of converters', () => {
  it(`keeps at most ${CONVERTERS_KEPT} converters however many rates arrive, and resamples every one`, async () => {
    const resampler = new LibSampleRateResampler();
    try {
      for (let i = 0; i < 30; i++) {
        const rate = 8000 + i * 997;
        const out = await resampler.resample(new Float32Array(rate / 10), rate, 16_000);
        expect(Math.abs(out.length - 1600)).toBeLessThanOrEqual(2);
        expect(resampler.convertersKept).toBeLessThanOrEqual(CONVERTERS_KEPT);
      }
    } finally {
      resampler.destroy();
    }
    expect(resampler.convertersKept).toBe(0);
  });

  it('a rate outside 1–192,000 Hz is an Error naming both rates, not a bare string', async () => {
    const resampler = new LibSampleRateResampler();
    const err = await resampler.resample(new Float32Array(10), 384_000, 16_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedRateError);
    expect((err as Error).message).toContain('384000 Hz');
    resampler.destroy();
  });
});
