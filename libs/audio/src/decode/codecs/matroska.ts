import { refuse } from '../refusal.js';

/**
 * A Matroska/WebM reader for the one thing the decoder needs: the audio tracks and the frames of their blocks.
 * Segments, Clusters, BlockGroups, Tracks and TrackEntries are entered inline, so sizes that are unknown (a live
 * recording, a browser's MediaRecorder) or wrong do not matter; every other element is skipped by its size. Frames
 * are views into the input (copied only when an element is cut between two pieces), laced blocks (Xiph, fixed-size,
 * EBML) are split into their frames.
 */
export type MatroskaEvent =
  | { type: 'track'; number: number; codec: string; codecPrivate: Uint8Array | null }
  | { type: 'frame'; track: number; data: Uint8Array };

const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const BLOCK_GROUP = 0xa0;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_NUMBER = 0xd7;
const CODEC_ID = 0x86;
const CODEC_PRIVATE = 0x63a2;
const SIMPLE_BLOCK = 0xa3;
const BLOCK = 0xa1;
const MASTERS = new Set([SEGMENT, CLUSTER, BLOCK_GROUP, TRACKS, TRACK_ENTRY]);
const ENTRY_FIELDS = new Set([TRACK_NUMBER, CODEC_ID, CODEC_PRIVATE]);

/** Elements read whole (the others are skipped by their size); larger than this, they are not audio we decode. */
const MAX_READ_ELEMENT = 1 << 24;

/**
 * EBML variable-length integer at `at`: its byte length and value (`raw` keeps the length marker, as IDs do);
 * 'more' when the bytes end inside it, null when it is not one.
 */
function vint(b: Uint8Array, at: number, raw: boolean): { length: number; value: number } | 'more' | null {
  const first = b[at];
  if (first === undefined) return 'more';
  if (first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > b.length) return 'more';
  let value = raw ? first : first & (0xff >> length);
  let unknown = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[at + i]!;
    unknown &&= b[at + i] === 0xff;
  }
  return { length, value: !raw && unknown ? -1 : value };
}

/** A variable-length integer inside an element already read whole: running out of bytes is malformed there. */
function vintWithin(b: Uint8Array, at: number): { length: number; value: number } | null {
  const v = vint(b, at, false);
  return v === 'more' ? null : v;
}

function unsignedOf(b: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (b[at + i] ?? 0);
  return value;
}

/**
 * The reader, fed the file in pieces of any size: an element cut by the end of a piece waits for the next (only the
 * elements it reads are kept whole; the others are skipped as their bytes pass). Malformed data ends the events.
 */
export class MatroskaReader {
  private pending: Uint8Array = new Uint8Array(0);
  private skip = 0;
  private stopped = false;
  private entry: { number: number; codec: string; codecPrivate: Uint8Array | null } | null = null;

  *push(bytes: Uint8Array): Generator<MatroskaEvent> {
    if (this.stopped) return;
    if (this.skip > 0) {
      const n = Math.min(this.skip, bytes.length);
      this.skip -= n;
      bytes = bytes.subarray(n);
    }
    const b = this.pending.length > 0 ? concat(this.pending, bytes) : bytes;
    this.pending = new Uint8Array(0);
    let at = 0;
    while (at < b.length) {
      const id = vint(b, at, true);
      const size = id && id !== 'more' ? vint(b, at + id.length, false) : id;
      if (id === null || size === null) {
        this.stop();
        return;
      }
      if (id === 'more' || size === 'more') break;
      const body = at + id.length + size.length;
      if (MASTERS.has(id.value)) {
        if (id.value === TRACK_ENTRY) {
          if (this.entry) yield { type: 'track', ...this.entry };
          this.entry = { number: -1, codec: '', codecPrivate: null };
        }
        at = body;
        continue;
      }
      if (size.value < 0) {
        this.stop();
        return;
      }
      const end = body + size.value;
      const read =
        id.value === SIMPLE_BLOCK ||
        id.value === BLOCK ||
        (this.entry !== null && ENTRY_FIELDS.has(id.value));
      if (read && size.value > MAX_READ_ELEMENT) {
        throw refuse.undecodable(
          `The WebM holds an element of ${size.value} bytes; blocks that large are not audio`,
        );
      }
      if (end > b.length) {
        if (read) break;
        this.skip = end - b.length;
        at = b.length;
        break;
      }
      if (this.entry && id.value === TRACK_NUMBER) this.entry.number = unsignedOf(b, body, size.value);
      else if (this.entry && id.value === CODEC_ID) {
        this.entry.codec = String.fromCharCode(...b.subarray(body, end)).replace(/\0+$/, '');
      } else if (this.entry && id.value === CODEC_PRIVATE) this.entry.codecPrivate = b.subarray(body, end);
      else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) {
        if (this.entry) {
          yield { type: 'track', ...this.entry };
          this.entry = null;
        }
        yield* blockFrames(b, body, end);
      }
      at = end;
    }
    this.pending = b.subarray(at);
  }

  /** No more bytes: a track entry still open is complete; an element cut by the end of the file is dropped. */
  *end(): Generator<MatroskaEvent> {
    if (this.entry) yield { type: 'track', ...this.entry };
    this.entry = null;
    this.pending = new Uint8Array(0);
  }

  private stop(): void {
    this.stopped = true;
    this.pending = new Uint8Array(0);
  }
}

/** The events of a whole file in memory. */
export function* matroskaEvents(b: Uint8Array): Generator<MatroskaEvent> {
  const reader = new MatroskaReader();
  yield* reader.push(b);
  yield* reader.end();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The frames of one (Simple)Block: track number, 16-bit timecode, flags, then one frame or a laced run. */
function* blockFrames(b: Uint8Array, start: number, end: number): Generator<MatroskaEvent> {
  const track = vintWithin(b, start);
  if (!track || start + track.length + 3 > end) return;
  const flags = b[start + track.length + 2]!;
  let at = start + track.length + 3;
  const lacing = (flags >> 1) & 0x03; // none, Xiph, fixed-size, EBML
  if (lacing === 0) {
    yield { type: 'frame', track: track.value, data: b.subarray(at, end) };
    return;
  }
  const count = (b[at++] ?? 0) + 1;
  const sizes: number[] = [];
  if (lacing === 1) {
    for (let k = 0; k < count - 1; k++) {
      let size = 0;
      while (at < end && b[at] === 0xff) size += b[at++]!;
      if (at >= end) return;
      sizes.push(size + b[at++]!);
    }
  } else if (lacing === 3) {
    const first = vintWithin(b, at);
    if (!first || first.value < 0) return;
    sizes.push(first.value);
    at += first.length;
    for (let k = 1; k < count - 1; k++) {
      const delta = vintWithin(b, at);
      if (!delta || delta.value < 0) return;
      sizes.push(sizes[k - 1]! + delta.value - (2 ** (7 * delta.length - 1) - 1));
      at += delta.length;
    }
  } else {
    const size = Math.floor((end - at) / count);
    for (let k = 0; k < count - 1; k++) sizes.push(size);
  }
  for (const size of sizes) {
    if (size < 0 || at + size > end) return;
    yield { type: 'frame', track: track.value, data: b.subarray(at, at + size) };
    at += size;
  }
  if (at < end) yield { type: 'frame', track: track.value, data: b.subarray(at, end) };
}
