import { AppError, encodeWav16, seededRandom } from '@mira/core';
import type { AudioPipeline } from '../audio-pipeline.js';
import { makeBomb } from '../../../../test/support/audio-bombs.js';
import { readBytes, testPipeline, transcode } from '../../../../test/support/audio.js';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { concatSamples } from '../dsp/signal.js';
import { MAX_FLOATS_PER_CALL } from './mono-collector.js';
import { openRecordingDecoder } from './recording-decoder.js';

/** Feeds `bytes` to a recording decoder in pieces of random sizes (as parts arrive); answers all its audio. */
async function decodeInPieces(bytes: Buffer, maxSeconds = 600, seed = 1, piece = 40_000) {
  const decoder = openRecordingDecoder({ maxSeconds });
  const random = seededRandom(seed);
  const blocks: Float32Array[] = [];
  try {
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * piece);
      blocks.push(...(await decoder.push(bytes.subarray(at, at + size))));
      at += size;
    }
    const end = await decoder.end();
    blocks.push(...end.blocks);
    return {
      samples: concatSamples(blocks),
      format: end.format,
      rate: end.originalSampleRate,
      channels: end.channels,
    };
  } finally {
    decoder.close();
  }
}

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('recording decoder: a long file decoded as its bytes arrive', () => {
  let pipeline: AudioPipeline;
  let speech: Float32Array;

  beforeAll(async () => {
    pipeline = await testPipeline();
    const [speaker] = librispeechDevSpeakers();
    speech = (await pipeline.decode(readBytes(speaker!.files[0]!))).samples.subarray(0, 16_000 * 5);
  });

  afterAll(() => pipeline.close());

  it.each([
    ['wav', 'wav', ['-c:a', 'pcm_s24le', '-ar', '44100', '-ac', '2']],
    ['wav', 'wav', ['-c:a', 'pcm_f32le', '-ar', '8000']],
    ['flac', 'flac', ['-c:a', 'flac']],
    ['mp3', 'mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']],
    ['ogg', 'ogg', ['-c:a', 'libopus', '-b:a', '32k']],
    ['ogg', 'oga', ['-c:a', 'libvorbis', '-q:a', '3']],
    ['webm', 'webm', ['-c:a', 'libopus', '-b:a', '32k']],
  ] as const)('%s (%s %s) gives what the whole-file decoder gives', async (format, ext, args) => {
    const encoded = transcode(encodeWav16(speech, 16_000), ext, [...args]);
    const whole = await pipeline.decode(encoded);
    const streamed = await decodeInPieces(encoded);
    const big = await decodeInPieces(encoded, 600, 2, 2_000_000);
    expect(big.samples.length).toBe(streamed.samples.length);
    expect(streamed.format).toBe(format);
    expect(streamed.rate).toBe(whole.originalSampleRate);
    expect(Math.abs(streamed.samples.length - whole.samples.length)).toBeLessThan(16_000 * 0.05);
    expect(correlation(streamed.samples, whole.samples)).toBeGreaterThan(0.99);
  });

  it('reads headerless PCM16 exactly, and refuses an odd byte count', async () => {
    const pcm = encodeWav16(speech, 16_000).subarray(44);
    const streamed = await decodeInPieces(Buffer.from(pcm));
    expect(streamed.format).toBe('pcm16');
    expect(streamed.samples.length).toBe(speech.length);
    const odd = Buffer.concat([pcm, Buffer.from([1])]);
    await expect(decodeInPieces(odd)).rejects.toMatchObject({ code: 'AUDIO_ODD_LENGTH_PCM' });
  });

  it('stops with AUDIO_TOO_LONG once more than the limit is decoded, and refuses nothing decodable', async () => {
    const flac = transcode(encodeWav16(speech, 16_000), 'flac', ['-c:a', 'flac']);
    const err = await decodeInPieces(flac, 3).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('AUDIO_TOO_LONG');
    await expect(decodeInPieces(Buffer.alloc(0))).rejects.toMatchObject({ code: 'AUDIO_EMPTY' });
    await expect(
      decodeInPieces(Buffer.concat([Buffer.from('OggS'), Buffer.alloc(9000, 0x41)])),
    ).rejects.toMatchObject({
      code: 'AUDIO_UNDECODABLE',
    });
  });

  it.each([
    ['flac', 48_000, 65_535 / 48_000],
    ['ogg-opus', 48_000, 0.12],
    ['webm-opus', 48_000, 0.12],
  ] as const)(
    'a %s bomb (30 min in a small file) stops within one decoder call past the limit',
    async (format, rate, unitSeconds) => {
      const err = await decodeInPieces(makeBomb(format, { seconds: 1800 }), 20).then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as AppError).code).toBe('AUDIO_TOO_LONG');
      const seconds = Number(
        /more than ([\d.]+) s \(decoding stopped there\)/.exec((err as AppError).detail)?.[1],
      );
      expect(seconds).toBeGreaterThan(20);
      // one decoder call produces at most MAX_FLOATS_PER_CALL samples, one unit more at the most
      expect(seconds).toBeLessThanOrEqual(20 + MAX_FLOATS_PER_CALL / rate + unitSeconds + 0.01);
    },
  );
});
