import { webmOpusSeconds } from './codecs/webm.js';

/** What the first bytes of an upload say it is. `pcm16` means "no known container": headerless PCM16LE. */
export type SniffedContainer = 'wav' | 'flac' | 'mp3' | 'ogg' | 'webm' | 'pcm16' | { unsupported: string };

const ascii = (bytes: Uint8Array, offset: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(offset, offset + length));

/**
 * Sniffs magic numbers; never trusts the file name or MIME type for containers (the legacy desktop client sends raw
 * PCM named `audio.wav` with type audio/wav). Containers we recognise but do not decode are reported as unsupported.
 */
export function sniffContainer(bytes: Uint8Array): SniffedContainer {
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF') {
    return ascii(bytes, 8, 4) === 'WAVE' ? 'wav' : { unsupported: `RIFF/${ascii(bytes, 8, 4)}` };
  }
  if (bytes.length >= 4) {
    const magic = ascii(bytes, 0, 4);
    if (magic === 'fLaC') return 'flac';
    if (magic === 'OggS') return 'ogg';
    if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'webm';
    if (magic === 'FORM') return { unsupported: 'AIFF' };
    if (magic === 'RF64') return { unsupported: 'RF64' };
    if (magic === 'caff') return { unsupported: 'CAF' };
    if (magic === '#!AM') return { unsupported: 'AMR' };
    if (bytes.length >= 8 && ascii(bytes, 4, 4) === 'ftyp') return { unsupported: 'MP4/M4A' };
  }
  if (bytes.length >= 3 && ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  if (looksLikeMp3Frames(bytes)) return 'mp3';
  return 'pcm16';
}

const MPEG1_BITRATES_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_BITRATES_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES = [
  [11025, 12000, 8000], // MPEG 2.5
  null,
  [22050, 24000, 16000], // MPEG 2
  [44100, 48000, 32000], // MPEG 1
];

/** Length of the MPEG layer III frame starting at `at`, or 0 when there is no valid header there. */
function mp3FrameLength(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) return 0;
  const b1 = bytes[at + 1];
  const b2 = bytes[at + 2];
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return 0;
  const version = (b1 >> 3) & 0x03;
  const layer = (b1 >> 1) & 0x03;
  if (version === 1 || layer !== 1) return 0; // layer III only
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0x03;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  const padding = (b2 >> 1) & 0x01;
  const rate = SAMPLE_RATES[version]![rateIndex]!;
  const kbps = (version === 3 ? MPEG1_BITRATES_L3 : MPEG2_BITRATES_L3)[bitrateIndex]!;
  const coefficient = version === 3 ? 144 : 72;
  return Math.floor((coefficient * kbps * 1000) / rate) + padding;
}

/** Frame sync alone is too weak (raw PCM can start with 0xFFEx): require two consecutive valid frames. */
function looksLikeMp3Frames(bytes: Uint8Array): boolean {
  const first = mp3FrameLength(bytes, 0);
  if (first === 0) return false;
  return mp3FrameLength(bytes, first) > 0;
}

/**
 * How much longer a counted duration can be than what the decoder returns: for MP3 the info frame, encoder delay
 * (≤ 1105 samples) and end padding (< 1 frame) at the longest frames (MPEG 2.5, 8 kHz); for WebM the Opus pre-skip.
 * An early refusal allows for it; the exact check after decoding does not need to.
 */
export const COUNTED_SLACK_SECONDS: Readonly<Record<string, number>> = { mp3: 0.3, webm: 0.1 };

/**
 * The duration a compressed container declares in its headers, or counts in its frames, read without decoding; null
 * when it does not say (FLAC with an unknown sample count, no frame found). Lets the decoder refuse an over-long
 * upload before spending CPU and memory on it: 10 MB of 6 kbit/s Opus is almost four hours, 2.7 GB once decoded at
 * 48 kHz.
 * - FLAC: STREAMINFO's 20-bit sample rate and 36-bit total sample count.
 * - Ogg (Opus, Vorbis): the granule position of the last page that has one, over 48 kHz (Opus, less pre-skip) or
 *   the Vorbis identification header's rate.
 * - MP3: the layer III frames counted (mp3Seconds).
 * - WebM (Opus): the packets of the Opus track counted (webmOpusSeconds, codecs/webm.ts).
 */
export function declaredSeconds(bytes: Uint8Array, container: SniffedContainer): number | null {
  if (container === 'flac') return flacSeconds(bytes);
  if (container === 'ogg') return oggSeconds(bytes);
  if (container === 'mp3') return mp3Seconds(bytes);
  if (container === 'webm') return webmOpusSeconds(bytes);
  return null;
}

/**
 * MP3 has no length field worth trusting (Xing headers are optional and can lie), so the frames are counted: each
 * layer III header gives its frame's length and 1152 (MPEG 1) or 576 (MPEG 2 / 2.5) samples. Bytes that are not a
 * frame (tags, junk) are skipped a byte at a time, as a decoder resynchronises. The count includes what a gapless
 * decoder drops (the encoder's info frame, delay and end padding), so it can exceed the decoded length by up to
 * COUNTED_SLACK_SECONDS. Null when there is no frame at all.
 */
function mp3Seconds(b: Uint8Array): number | null {
  let at = 0;
  // ID3v2 tag: "ID3", version (2), flags (1), size as 4 syncsafe bytes; a footer adds 10 bytes
  if (b.length >= 10 && ascii(b, 0, 3) === 'ID3') {
    at = 10 + ((b[6]! & 0x7f) << 21) + ((b[7]! & 0x7f) << 14) + ((b[8]! & 0x7f) << 7) + (b[9]! & 0x7f);
    if (b[5]! & 0x10) at += 10;
  }
  let seconds = 0;
  let frames = 0;
  while (at + 4 <= b.length) {
    const length = mp3FrameLength(b, at);
    if (length === 0) {
      at++;
      continue;
    }
    const version = (b[at + 1]! >> 3) & 0x03;
    const rate = SAMPLE_RATES[version]![(b[at + 2]! >> 2) & 0x03]!;
    seconds += (version === 3 ? 1152 : 576) / rate;
    frames++;
    at += length;
  }
  return frames > 0 ? seconds : null;
}

/** Fewest bytes a FLAC frame takes (sync + header + CRC-8, one constant subframe, CRC-16). */
const FLAC_MIN_FRAME_BYTES = 8;
/** Fewest bytes per second an Ogg stream takes (Opus at its lowest rates is ~750). */
const OGG_MIN_BYTES_PER_SECOND = 100;

function flacSeconds(b: Uint8Array): number | null {
  // "fLaC", then a metadata block header: type (low 7 bits) 0 = STREAMINFO, length 34; its data from byte 8
  if (b.length < 42 || (b[4]! & 0x7f) !== 0 || b[5] !== 0 || b[6] !== 0 || b[7] !== 34) return null;
  const maxBlock = (b[10]! << 8) | b[11]!;
  const rate = (b[18]! << 12) | (b[19]! << 4) | (b[20]! >> 4);
  const total = (b[21]! & 0x0f) * 2 ** 32 + ((b[22]! << 24) >>> 0) + (b[23]! << 16) + (b[24]! << 8) + b[25]!;
  if (!(rate > 0 && total > 0 && maxBlock >= 16)) return null;
  // a header that claims more audio than these bytes could hold is corruption, not a long file: decode instead
  if (b.length < 42 + Math.ceil(total / maxBlock) * FLAC_MIN_FRAME_BYTES) return null;
  return total / rate;
}

function oggSeconds(b: Uint8Array): number | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // the first page carries the codec's identification header right after its 27 + segment-count byte header
  const body = 27 + (b[26] ?? 0);
  let rate = 0;
  let preSkip = 0;
  if (b.length >= body + 19 && ascii(b, body, 8) === 'OpusHead') {
    rate = 48000;
    preSkip = view.getUint16(body + 10, true);
  } else if (b.length >= body + 16 && b[body] === 1 && ascii(b, body + 1, 6) === 'vorbis') {
    rate = view.getUint32(body + 12, true);
  }
  if (rate <= 0) return null;
  for (let at = b.length - 27; at >= 0; at--) {
    if (b[at] !== 0x4f || ascii(b, at, 4) !== 'OggS') continue;
    const granule = view.getBigInt64(at + 6, true);
    if (granule < 0n) continue;
    const seconds = Math.max(0, Number(granule) - preSkip) / rate;
    return b.length >= seconds * OGG_MIN_BYTES_PER_SECOND ? seconds : null; // else corrupt: decode instead
  }
  return null;
}
