import fc from 'fast-check';
import { encodeWav16 } from '@mira/core';
import { transcode } from './audio.js';

/**
 * Decompression bombs in every accepted container: small files that decode to hours of PCM, each built so that the
 * length its headers declare (or that counting its frames gives) says nothing or too little. Made at test time,
 * never committed. The generators take the audio duration and a few structural knobs, so property tests can vary
 * them (see bombArbitrary in audio-attacks.ts).
 */
export type BombFormat = 'flac' | 'ogg-opus' | 'ogg-vorbis' | 'webm-opus' | 'mp3' | 'wav';

export interface BombOptions {
  /** Seconds of audio the file decodes to. */
  seconds: number;
  channels?: number;
}

// ------------------------------------------------------------------------------------------------ checksums

const CRC8 = Uint8Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  return c;
});
const CRC16 = Uint16Array.from({ length: 256 }, (_, i) => {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
  return c;
});
const CRC32 = Uint32Array.from({ length: 256 }, (_, i) => {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? ((c << 1) ^ 0x04c11db7) >>> 0 : (c << 1) >>> 0;
  return c >>> 0;
});

function crc8(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) c = CRC8[c ^ b]!;
  return c;
}

function crc16(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) c = ((c << 8) & 0xffff) ^ CRC16[(c >> 8) ^ b]!;
  return c;
}

function oggCrc(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) c = ((c << 8) >>> 0) ^ CRC32[((c >>> 24) ^ b) & 0xff]!;
  return c >>> 0;
}

// ------------------------------------------------------------------------------------------------ FLAC

/** FLAC's UTF-8-like coding of the frame number. */
function flacNumber(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  let bytes = 2;
  while (n >= 2 ** (5 * bytes + 1)) bytes += 1;
  for (let i = bytes - 1; i > 0; i--) {
    out.unshift(0x80 | (n & 0x3f));
    n = Math.floor(n / 64);
  }
  out.unshift(((0xff00 >> bytes) & 0xff) | n);
  return out;
}

const FLAC_RATE_CODES: Record<number, number> = {
  88_200: 1,
  176_400: 2,
  192_000: 3,
  8000: 4,
  16_000: 5,
  22_050: 6,
  24_000: 7,
  32_000: 8,
  44_100: 9,
  48_000: 10,
  96_000: 11,
};

/**
 * FLAC whose STREAMINFO total is 0 ("unknown", which the format allows) and whose frames are 65,535 samples of one
 * constant value each (about 13 bytes a frame): 2 h of 48 kHz mono is ~70 KB. `frameSamples` may be smaller to
 * vary the shape.
 */
export function flacBomb(opts: BombOptions & { rate?: number; frameSamples?: number }): Buffer {
  const rate = opts.rate ?? 48_000;
  const channels = opts.channels ?? 1;
  const block = opts.frameSamples ?? 65_535;
  const info = Buffer.alloc(34);
  info.writeUInt16BE(block, 0);
  info.writeUInt16BE(block, 2);
  // 20-bit rate, 3-bit channels-1, 5-bit bits-1 (8), 36-bit total (0 = unknown), then MD5 (zero)
  info[10] = (rate >> 12) & 0xff;
  info[11] = (rate >> 4) & 0xff;
  info[12] = ((rate & 0x0f) << 4) | ((channels - 1) << 1);
  info[13] = 7 << 4;
  const head = Buffer.concat([Buffer.from('fLaC'), Buffer.from([0x80, 0, 0, 34]), info]);
  // frame headers name the rate (decoders fed frame by frame never see STREAMINFO)
  const rateCode = FLAC_RATE_CODES[rate];
  if (rateCode === undefined) throw new Error(`no FLAC frame code for ${rate} Hz`);
  const frames: Buffer[] = [];
  const count = Math.ceil((opts.seconds * rate) / block);
  for (let n = 0; n < count; n++) {
    const header = [0xff, 0xf8, 0x70 | rateCode, ((channels - 1) << 4) | (1 << 1), ...flacNumber(n)];
    header.push(((block - 1) >> 8) & 0xff, (block - 1) & 0xff);
    header.push(crc8(Uint8Array.from(header)));
    // one CONSTANT subframe per channel: header byte 0, then the 8-bit value
    for (let c = 0; c < channels; c++) header.push(0x00, 0x00);
    const crc = crc16(Uint8Array.from(header));
    header.push(crc >> 8, crc & 0xff);
    frames.push(Buffer.from(header));
  }
  return Buffer.concat([head, ...frames]);
}

// ------------------------------------------------------------------------------------------------ Ogg

/** One Ogg page holding whole packets (each < 255 bytes). Granule -1: "no packet ends here" (lies freely). */
function oggPage(packets: Buffer[], seq: number, flags: number, granule: bigint): Buffer {
  const lacing = packets.flatMap((p) => {
    const out: number[] = [];
    let n = p.length;
    while (n >= 255) {
      out.push(255);
      n -= 255;
    }
    out.push(n);
    return out;
  });
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'latin1');
  head[5] = flags;
  head.writeBigInt64LE(granule, 6);
  head.writeUInt32LE(0x4d495241, 14);
  head.writeUInt32LE(seq, 18);
  head[26] = lacing.length;
  const page = Buffer.concat([head, Buffer.from(lacing), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

function opusHead(channels: number): Buffer {
  const h = Buffer.alloc(19);
  h.write('OpusHead', 0, 'latin1');
  h[8] = 1;
  h[9] = channels;
  h.writeUInt16LE(312, 10);
  h.writeUInt32LE(48_000, 12);
  return h;
}

/** An Opus packet of six 20 ms CELT frames of zero bytes each (code 3, CBR): 120 ms of concealment in 2 bytes. */
function opusSilence120ms(stereo: boolean): Buffer {
  return Buffer.from([(31 << 3) | (stereo ? 4 : 0) | 3, 6]);
}

/**
 * Ogg Opus made of 2-byte packets that each decode to 120 ms (30 s a page), every audio page with granule -1 and
 * no end-of-stream page, so no page says how long the stream is. 2 h is ~190 KB.
 */
export function oggOpusBomb(opts: BombOptions): Buffer {
  const channels = opts.channels ?? 1;
  const tags = Buffer.concat([Buffer.from('OpusTags'), Buffer.alloc(8)]);
  const pages = [oggPage([opusHead(channels)], 0, 0x02, 0n), oggPage([tags], 1, 0, 0n)];
  const packets = Math.ceil(opts.seconds / 0.12);
  const packet = opusSilence120ms(channels > 1);
  for (let done = 0, seq = 2; done < packets; seq++) {
    const n = Math.min(255, packets - done);
    pages.push(
      oggPage(
        Array.from({ length: n }, () => packet),
        seq,
        0,
        -1n,
      ),
    );
    done += n;
  }
  return Buffer.concat(pages);
}

/** Re-pages an Ogg stream with every granule position after the headers set to -1 and no end-of-stream flag. */
function hideOggLength(ogg: Buffer): Buffer {
  const out = Buffer.from(ogg);
  for (let at = 0; at + 27 <= out.length;) {
    if (out.toString('latin1', at, at + 4) !== 'OggS') throw new Error('not an Ogg page');
    const segments = out[at + 26]!;
    let size = 27 + segments;
    for (let i = 0; i < segments; i++) size += out[at + 27 + i]!;
    const seq = out.readUInt32LE(at + 18);
    if (seq >= 2) out.writeBigInt64LE(-1n, at + 6);
    out[at + 5] = out[at + 5]! & ~0x04;
    out.writeUInt32LE(0, at + 22);
    out.writeUInt32LE(oggCrc(out.subarray(at, at + size)), at + 22);
    at += size;
  }
  return out;
}

/** Silence as 16-bit WAV, interleaved channels, for ffmpeg to encode. */
function silenceWav(seconds: number, rate: number, channels: number): Buffer {
  return encodeWav16(new Float32Array(Math.round(seconds * rate) * channels), rate, channels);
}

/** Ogg Vorbis of silence from ffmpeg (real setup headers), its length hidden by hideOggLength. */
export function oggVorbisBomb(opts: BombOptions): Buffer {
  const wav = silenceWav(opts.seconds, 8000, opts.channels ?? 1);
  return hideOggLength(transcode(wav, 'ogg', ['-c:a', 'libvorbis', '-q:a', '0']));
}

// ------------------------------------------------------------------------------------------------ WebM

function ebmlSize(n: number): Buffer {
  for (let len = 1; len <= 8; len++) {
    if (n < 2 ** (7 * len) - 1) {
      const out = Buffer.alloc(len);
      let v = n;
      for (let i = len - 1; i >= 0; i--) {
        out[i] = v & 0xff;
        v = Math.floor(v / 256);
      }
      out[0]! |= 0x80 >> (len - 1);
      return out;
    }
  }
  throw new Error('EBML size too large');
}

function element(id: number[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id), ebmlSize(body.length), body]);
}

const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/**
 * WebM (Matroska, as a browser's MediaRecorder writes: Segment and Clusters of unknown size) with one Opus track
 * whose SimpleBlocks each carry 255 Xiph-laced packets: a 2.5 ms packet first, then 120 ms packets. A length
 * estimate that counts a laced run at its first packet's duration sees 1/48 of the audio.
 */
export function webmOpusBomb(opts: BombOptions): Buffer {
  const channels = opts.channels ?? 1;
  const ebml = element(
    [0x1a, 0x45, 0xdf, 0xa3],
    Buffer.concat([element([0x42, 0x82], Buffer.from('webm')), element([0x42, 0x87], Buffer.from([4]))]),
  );
  const track = element(
    [0xae],
    Buffer.concat([
      element([0xd7], Buffer.from([1])),
      element([0x83], Buffer.from([2])),
      element([0x86], Buffer.from('A_OPUS')),
      element([0x63, 0xa2], opusHead(channels)),
      element([0xe1], Buffer.concat([element([0x9f], Buffer.from([channels]))])),
    ]),
  );
  const tracks = element([0x16, 0x54, 0xae, 0x6b], track);
  const short = Buffer.from([(16 << 3) | (channels > 1 ? 4 : 0)]); // CELT NB 2.5 ms, code 0, 0-byte frame
  const long = opusSilence120ms(channels > 1);
  const perBlock = 255;
  const blockSeconds = 0.0025 + (perBlock - 1) * 0.12;
  const blocks: Buffer[] = [];
  for (let t = 0, i = 0; t < opts.seconds; t += blockSeconds, i++) {
    const body = Buffer.concat([
      Buffer.from([0x81, (i >> 8) & 0x7f, i & 0xff, 0x80 | (1 << 1)]), // track 1, timecode, keyframe, Xiph lacing
      Buffer.from([perBlock - 1, short.length, ...Array.from({ length: perBlock - 2 }, () => long.length)]),
      short,
      ...Array.from({ length: perBlock - 1 }, () => long),
    ]);
    blocks.push(element([0xa3], body));
  }
  const cluster = Buffer.concat([
    Buffer.from([0x1f, 0x43, 0xb6, 0x75]),
    UNKNOWN_SIZE,
    element([0xe7], Buffer.from([0])),
    ...blocks,
  ]);
  const segment = Buffer.concat([Buffer.from([0x18, 0x53, 0x80, 0x67]), UNKNOWN_SIZE, tracks, cluster]);
  return Buffer.concat([ebml, segment]);
}

// ------------------------------------------------------------------------------------------------ MP3, WAV

/** The first `count` MPEG frames of an MPEG-2 layer III stream (frame length from each header). */
function firstMpegFrames(mp3: Buffer, count: number): Buffer {
  let at = 0;
  for (let k = 0; k < count; k++) {
    const kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160][mp3[at + 2]! >> 4]!;
    const rate = [22_050, 24_000, 16_000][(mp3[at + 2]! >> 2) & 0x03]!;
    at += Math.floor((72 * kbps * 1000) / rate) + ((mp3[at + 2]! >> 1) & 0x01);
  }
  return mp3.subarray(0, at);
}

/** Samples in one MPEG-2 layer II frame. */
const LAYER2_FRAME_SAMPLES = 1152;
/** One layer II frame of silence at 16 kHz per channel count (every such frame is the same bytes). */
const layer2SilenceFrames = new Map<number, Buffer>();

/**
 * One MPEG-2 layer II frame of 16 kHz silence. Layer II frames stand alone (no bit reservoir) and ffmpeg encodes every
 * frame of silence to the same bytes, so a long stream is this frame repeated rather than minutes of audio encoded by
 * ffmpeg (seconds of CPU per bomb, tens of seconds at load 15).
 */
function layer2SilenceFrame(channels: number): Buffer {
  let frame = layer2SilenceFrames.get(channels);
  if (!frame) {
    const frames = 14; // 1 s of audio
    const encoded = transcode(silenceWav((frames * LAYER2_FRAME_SAMPLES) / 16_000, 16_000, channels), 'mp2', [
      ...['-c:a', 'mp2', '-b:a', channels === 2 ? '16k' : '8k', '-ar', '16000'],
    ]);
    const size = encoded.length / frames;
    frame = encoded.subarray(0, size);
    for (let k = 1; k < frames; k++) {
      if (!Number.isInteger(size) || !encoded.subarray(k * size, (k + 1) * size).equals(frame))
        throw new Error(
          'ffmpeg encoded layer II silence into frames that differ: the bomb cannot repeat one',
        );
    }
    layer2SilenceFrames.set(channels, frame);
  }
  return frame;
}

/**
 * "MP3" that opens with two MPEG-2 layer III frames (what sniffing and frame counting look for) and continues as
 * MPEG-2 layer II at 8 kbit/s (1 KB a second of 16 kHz audio), which decoders play as well: a counter of layer III
 * frames sees 0.07 s. MPEG audio cannot expand more than ~16 samples a byte, but AUDIO_MAX_BYTES of it is hours.
 */
export function mp3Bomb(opts: BombOptions): Buffer {
  layer3Opening ??= firstMpegFrames(
    transcode(silenceWav(1, 16_000, 1), 'mp3', [
      ...['-c:a', 'libmp3lame', '-b:a', '8k', '-ar', '16000', '-id3v2_version', '0', '-write_xing', '0'],
    ]),
    2,
  );
  const frame = layer2SilenceFrame(opts.channels ?? 1);
  const frames = Math.ceil((opts.seconds * 16_000) / LAYER2_FRAME_SAMPLES);
  return Buffer.concat([layer3Opening, Buffer.concat(Array<Buffer>(frames).fill(frame))]);
}
let layer3Opening: Buffer | undefined;

/**
 * WAV with a streaming writer's data size (0xFFFFFFFF) of 8-bit mono at 1 kHz: every byte is a millisecond, so
 * AUDIO_MAX_BYTES is hours. No expansion beyond 4 bytes of float a byte, but it must be refused before the samples
 * are converted.
 */
export function wavBomb(opts: BombOptions): Buffer {
  const rate = 1000;
  const channels = opts.channels ?? 1;
  const frames = Math.round(opts.seconds * rate);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels, 28);
  h.writeUInt16LE(channels, 32);
  h.writeUInt16LE(8, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(0xffffffff, 40);
  return Buffer.concat([h, Buffer.alloc(frames * channels, 0x80)]);
}

export function makeBomb(format: BombFormat, opts: BombOptions): Buffer {
  switch (format) {
    case 'flac':
      return flacBomb(opts);
    case 'ogg-opus':
      return oggOpusBomb(opts);
    case 'ogg-vorbis':
      return oggVorbisBomb(opts);
    case 'webm-opus':
      return webmOpusBomb(opts);
    case 'mp3':
      return mp3Bomb(opts);
    case 'wav':
      return wavBomb(opts);
  }
}

export interface GeneratedBomb {
  format: BombFormat;
  options: BombOptions & { rate?: number; frameSamples?: number };
  bytes: () => Buffer;
}

/**
 * fast-check generator of bombs: any format, 3 to 60 times a 60 s limit, varied channel counts and (FLAC) frame
 * sizes and rates. Each shape hides its length as its maker documents, so the property "refused without decoding
 * it whole" holds only for a decoder that stops at the limit.
 */
export function bombArbitrary(): fc.Arbitrary<GeneratedBomb> {
  const seconds = fc.integer({ min: 180, max: 3600 });
  const shapes: Record<BombFormat, fc.Arbitrary<GeneratedBomb['options']>> = {
    flac: fc.record({
      seconds,
      channels: fc.integer({ min: 1, max: 8 }),
      rate: fc.constantFrom(8000, 16_000, 44_100, 48_000, 96_000),
      frameSamples: fc.integer({ min: 4096, max: 65_535 }),
    }),
    'ogg-opus': fc.record({ seconds, channels: fc.integer({ min: 1, max: 2 }) }),
    'ogg-vorbis': fc.record({ seconds, channels: fc.integer({ min: 1, max: 2 }) }),
    'webm-opus': fc.record({ seconds, channels: fc.integer({ min: 1, max: 2 }) }),
    mp3: fc.record({ seconds, channels: fc.integer({ min: 1, max: 2 }) }),
    wav: fc.record({
      seconds: fc.integer({ min: 180, max: 3600 }),
      channels: fc.integer({ min: 1, max: 8 }),
    }),
  };
  return fc.oneof(
    ...(Object.keys(shapes) as BombFormat[]).map((format) =>
      shapes[format].map((options) => ({
        format,
        options,
        bytes: () => (format === 'flac' ? flacBomb(options) : makeBomb(format, options)),
      })),
    ),
  );
}
