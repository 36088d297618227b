import { AppError, encodeWav16, wavHeader } from '@mira/core';
import type { AudioPipeline } from '../audio-pipeline.js';
import { readBytes, testPipeline, transcode } from '../../../../test/support/audio.js';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { rms } from '../dsp/signal.js';
import { COUNTED_SLACK_SECONDS, declaredSeconds, sniffContainer } from './sniff.js';

/** A 440 Hz tone at amplitude 0.5 in the requested WAV encoding. */
function toneWav(bits: 8 | 16 | 24 | 32 | 'f32' | 'f64', rate: number, channels = 1, seconds = 1): Buffer {
  const frames = Math.round(rate * seconds);
  const float = bits === 'f32' || bits === 'f64';
  const width = bits === 'f32' ? 4 : bits === 'f64' ? 8 : bits / 8;
  const data = Buffer.alloc(frames * channels * width);
  let p = 0;
  for (let i = 0; i < frames; i++) {
    const v = 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate);
    for (let c = 0; c < channels; c++) {
      if (bits === 'f32') data.writeFloatLE(v, p);
      else if (bits === 'f64') data.writeDoubleLE(v, p);
      else if (bits === 8) data.writeUInt8(Math.round(v * 127 + 128), p);
      else if (bits === 16) data.writeInt16LE(Math.round(v * 32767), p);
      else if (bits === 24) data.writeIntLE(Math.round(v * 8388607), p, 3);
      else data.writeInt32LE(Math.round(v * 2147483647), p);
      p += width;
    }
  }
  const header = wavHeader({ tag: float ? 3 : 1, channels, rate, bits: width * 8, dataBytes: data.length });
  return Buffer.concat([header, data]);
}

async function expectRefusal(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).status).toBe(status);
}

describe('audio decode: every accepted upload becomes 16 kHz mono float32', () => {
  let pipeline: AudioPipeline;
  let speechWav: Buffer;
  beforeAll(async () => {
    pipeline = await testPipeline({ AUDIO_MAX_SECONDS: '20', AUDIO_MAX_BYTES: String(3 * 1024 * 1024) });
    const flac = readBytes(librispeechDevSpeakers()[0]!.files[0]!);
    speechWav = encodeWav16((await pipeline.decode(flac)).samples.subarray(0, 16000 * 3), 16000);
  });
  afterAll(() => pipeline.close());

  it.each([8, 16, 24, 32, 'f32', 'f64'] as const)(
    'reads RIFF WAV PCM %s-bit at 16 kHz exactly',
    async (bits) => {
      const decoded = await pipeline.decode(toneWav(bits, 16000));
      expect(decoded.format).toBe('wav');
      expect(decoded.sampleRate).toBe(16000);
      expect(decoded.samples.length).toBe(16000);
      expect(rms(decoded.samples)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    },
  );

  it('downmixes stereo and resamples 44.1 kHz and 8 kHz to 16 kHz', async () => {
    const stereo = await pipeline.decode(toneWav(16, 44100, 2, 2));
    expect(stereo.channels).toBe(2);
    expect(stereo.originalSampleRate).toBe(44100);
    expect(Math.abs(stereo.samples.length - 32000)).toBeLessThanOrEqual(2);
    expect(stereo.durationSeconds).toBeCloseTo(2, 2);
    expect(rms(stereo.samples.subarray(1000, 31000))).toBeCloseTo(0.5 / Math.SQRT2, 2);
    const narrow = await pipeline.decode(toneWav(16, 8000, 1, 1));
    expect(Math.abs(narrow.samples.length - 16000)).toBeLessThanOrEqual(2);
  });

  it('reads headerless PCM16LE as 16 kHz mono even when named audio.wav (legacy desktop client)', async () => {
    const wav = toneWav(16, 16000);
    const raw = wav.subarray(44);
    const decoded = await pipeline.decode(raw, { filename: 'audio.wav', mimetype: 'audio/wav' });
    expect(decoded.format).toBe('pcm16');
    expect(decoded.samples.length).toBe(16000);
    const viaWav = await pipeline.decode(wav);
    expect(Array.from(decoded.samples.subarray(0, 100))).toEqual(Array.from(viaWav.samples.subarray(0, 100)));
  });

  it.each([
    ['flac', 'flac', ['-c:a', 'flac']],
    ['mp3', 'mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']],
    ['ogg', 'ogg', ['-c:a', 'libopus', '-b:a', '32k']],
    ['webm', 'webm', ['-c:a', 'libopus', '-b:a', '32k']],
  ] as const)('decodes %s (encoded with ffmpeg at test time)', async (format, ext, args) => {
    const encoded = transcode(speechWav, ext, [...args]);
    const decoded = await pipeline.decode(encoded);
    expect(decoded.format).toBe(format);
    expect(decoded.sampleRate).toBe(16000);
    expect(Math.abs(decoded.durationSeconds - 3)).toBeLessThan(0.1);
    expect(rms(decoded.samples)).toBeGreaterThan(0.01);
  });

  it('refuses zero bytes with 422 AUDIO_EMPTY', async () => {
    await expectRefusal(pipeline.decode(Buffer.alloc(0)), 'AUDIO_EMPTY', 422);
  });

  it('refuses a WAV with no samples with 422 AUDIO_EMPTY', async () => {
    await expectRefusal(
      pipeline.decode(wavHeader({ tag: 1, channels: 1, rate: 16000, bits: 16, dataBytes: 0 })),
      'AUDIO_EMPTY',
      422,
    );
  });

  it('refuses headerless PCM with an odd byte count with 422 AUDIO_ODD_LENGTH_PCM', async () => {
    await expectRefusal(pipeline.decode(Buffer.alloc(3201, 1)), 'AUDIO_ODD_LENGTH_PCM', 422);
  });

  it('refuses audio longer than AUDIO_MAX_SECONDS with 413 AUDIO_TOO_LONG', async () => {
    await expectRefusal(pipeline.decode(Buffer.alloc(16000 * 2 * 21)), 'AUDIO_TOO_LONG', 413);
  });

  it.each([
    ['FLAC', 'flac', ['-c:a', 'flac']],
    ['Ogg/Opus', 'ogg', ['-c:a', 'libopus', '-b:a', '32k']],
    ['Ogg/Vorbis', 'ogg', ['-c:a', 'libvorbis', '-q:a', '2']],
  ] as const)(
    'reads the duration a %s file declares without decoding it, matching the decoded length',
    async (_label, ext, args) => {
      const container = ext;
      const encoded = transcode(speechWav, ext, [...args]);
      const decoded = await pipeline.decode(encoded);
      expect(declaredSeconds(encoded, container)).toBeCloseTo(decoded.durationSeconds, 1);
    },
  );

  it('a FLAC header claiming more audio than its bytes could hold is corruption: decoded, not refused as too long', async () => {
    const lying = Buffer.concat([Buffer.from('fLaC\x00\x00\x00\x22', 'latin1'), Buffer.alloc(2000, 0x5a)]);
    expect(declaredSeconds(lying, 'flac')).toBeNull();
    await expectRefusal(pipeline.decode(lying), 'AUDIO_UNDECODABLE', 415);
  });

  it.each([
    ['MP3 at 16 kHz (MPEG 2)', 'mp3', ['-c:a', 'libmp3lame']],
    ['MP3 at 44.1 kHz (MPEG 1)', 'mp3', ['-c:a', 'libmp3lame', '-ar', '44100']],
    ['MP3 at 8 kHz, 8 kbit/s (MPEG 2.5)', 'mp3', ['-c:a', 'libmp3lame', '-ar', '8000', '-b:a', '8k']],
    ['WebM/Opus (20 ms packets)', 'webm', ['-c:a', 'libopus']],
    [
      'WebM/Opus at 6 kbit/s (60 ms packets)',
      'webm',
      ['-c:a', 'libopus', '-b:a', '6k', '-frame_duration', '60'],
    ],
    ['WebM/Opus written live (segment of unknown size)', 'webm', ['-c:a', 'libopus', '-live', '1']],
  ] as const)(
    'counts the length of %s from its frames without decoding it: the decoded length plus at most the slack',
    async (_label, ext, args) => {
      const encoded = transcode(speechWav, ext, [...args]);
      const decoded = await pipeline.decode(encoded);
      const counted = declaredSeconds(encoded, ext)!;
      expect(counted).toBeGreaterThanOrEqual(decoded.durationSeconds - 0.01);
      expect(counted).toBeLessThanOrEqual(decoded.durationSeconds + COUNTED_SLACK_SECONDS[ext]!);
    },
  );

  it('counts only the Opus track of a WebM recorded with a camera, even when video blocks come first', async () => {
    // the voice (3 s) starts 1 s into a 20 s recording, so the file opens with video blocks (track 1); counting
    // those 500 frames as Opus packets would claim about 10 s
    const seconds = 20;
    const encoded = transcode(
      speechWav,
      'webm',
      [
        ...['-f', 'lavfi', '-i', `color=c=black:s=16x16:d=${seconds}:r=25`],
        ...['-map', '1:v', '-map', '0:a', '-c:v', 'libvpx', '-b:v', '50k', '-c:a', 'libopus'],
      ],
      ['-itsoffset', '1'],
    );
    const decoded = await pipeline.decode(encoded);
    const counted = declaredSeconds(encoded, 'webm')!;
    expect(counted).toBeGreaterThanOrEqual(decoded.durationSeconds - 0.01);
    expect(counted).toBeLessThanOrEqual(decoded.durationSeconds + COUNTED_SLACK_SECONDS.webm!);
  });

  it('refuses an over-long WebM/Opus by counting its packets (413 AUDIO_TOO_LONG)', async () => {
    const long = encodeWav16(
      new Float32Array(16000 * 25).map((_, i) => 0.3 * Math.sin(i / 5)),
      16000,
    );
    // 25 s at 6 kbit/s is about 20 KB: almost four hours fit in the default 10 MB upload limit (2.7 GB at 48 kHz)
    const webm = transcode(long, 'webm', ['-c:a', 'libopus', '-b:a', '6k', '-frame_duration', '60']);
    expect(declaredSeconds(webm, 'webm')).toBeGreaterThan(24.9);
    await expectRefusal(pipeline.decode(webm), 'AUDIO_TOO_LONG', 413);
    // a cut-off upload counts only the packets it holds
    expect(declaredSeconds(webm.subarray(0, webm.length >> 1), 'webm')).toBeLessThan(20);
  });

  it('refuses an over-long MP3 by counting its frames (413 AUDIO_TOO_LONG), also behind a tag and junk', async () => {
    const long = encodeWav16(
      new Float32Array(16000 * 25).map((_, i) => 0.3 * Math.sin(i / 5)),
      16000,
    );
    // 25 s at 8 kbit/s is 25 KB: almost three hours fit in the default 10 MB upload limit (670 MB once decoded)
    const mp3 = transcode(long, 'mp3', [
      '-c:a',
      'libmp3lame',
      '-ar',
      '8000',
      '-b:a',
      '8k',
      '-id3v2_version',
      '3',
    ]);
    expect(sniffContainer(mp3)).toBe('mp3');
    expect(declaredSeconds(mp3, 'mp3')).toBeGreaterThan(24.9);
    const refusal = await pipeline.decode(mp3).catch((err: unknown) => err);
    expect((refusal as AppError).code).toBe('AUDIO_TOO_LONG');
    // counted, not decoded: 25 s of frames behind a junk prefix a decoder would skip are still 25 s
    const junk = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x05junk!', 'latin1'), mp3]);
    expect(declaredSeconds(junk, 'mp3')).toBeCloseTo(declaredSeconds(mp3, 'mp3')!, 3);
  });

  it('refuses an over-long FLAC from its header, before decoding (413 AUDIO_TOO_LONG)', async () => {
    const long = encodeWav16(
      new Float32Array(16000 * 25).map((_, i) => 0.3 * Math.sin(i / 5)),
      16000,
    );
    const flac = transcode(long, 'flac', ['-c:a', 'flac']);
    await expectRefusal(pipeline.decode(flac), 'AUDIO_TOO_LONG', 413);
    // only the first 4 KB: decoding would find ~1 s of audio; the header still says 25 s
    const truncated = flac.subarray(0, 4096);
    const refusal = await pipeline.decode(truncated).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('AUDIO_TOO_LONG');
    expect((refusal as AppError).detail).toContain('25.00 s');
  });

  it('refuses more bytes than AUDIO_MAX_BYTES with 413 AUDIO_TOO_LARGE', async () => {
    await expectRefusal(pipeline.decode(Buffer.alloc(3 * 1024 * 1024 + 2)), 'AUDIO_TOO_LARGE', 413);
  });

  it('refuses corrupt and unsupported containers with 415 AUDIO_UNDECODABLE', async () => {
    const corruptFlac = Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(2000, 0x5a)]);
    await expectRefusal(pipeline.decode(corruptFlac), 'AUDIO_UNDECODABLE', 415);
    const aiff = Buffer.concat([Buffer.from('FORM'), Buffer.alloc(100)]);
    await expectRefusal(pipeline.decode(aiff), 'AUDIO_UNDECODABLE', 415);
    const noFmt = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE'), Buffer.alloc(8)]);
    await expectRefusal(pipeline.decode(noFmt), 'AUDIO_UNDECODABLE', 415);
    const adpcm = Buffer.concat([
      wavHeader({ tag: 2, channels: 1, rate: 16000, bits: 4, dataBytes: 100 }),
      Buffer.alloc(100),
    ]);
    await expectRefusal(pipeline.decode(adpcm), 'AUDIO_UNDECODABLE', 415);
    await expectRefusal(
      pipeline.decode(Buffer.from('{"not":"audio"}!'), { mimetype: 'application/json' }),
      'AUDIO_UNDECODABLE',
      415,
    );
  });

  it('does not mistake PCM that starts with an MPEG-like sync word for MP3', () => {
    const pcm = Buffer.alloc(6400);
    pcm[0] = 0xff;
    pcm[1] = 0xfb;
    pcm[2] = 0x90;
    expect(sniffContainer(pcm)).toBe('pcm16');
    expect(sniffContainer(Buffer.from('ID3\u0004\u0000'))).toBe('mp3');
    expect(sniffContainer(Buffer.concat([Buffer.alloc(4), Buffer.from('ftypM4A ')]))).toEqual({
      unsupported: 'MP4/M4A',
    });
  });
});
