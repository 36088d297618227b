/**
 * A Matroska/WebM reader for the one thing the decoder needs: the audio tracks and the frames of their blocks.
 * Segments, Clusters, BlockGroups, Tracks and TrackEntries are entered inline, so sizes that are unknown (a live
 * recording, a browser's MediaRecorder) or wrong do not matter; every other element is skipped by its size. Frames
 * are views into the input (no copies), laced blocks (Xiph, fixed-size, EBML) are split into their frames.
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

/** EBML variable-length integer at `at`: its byte length and value (`raw` keeps the length marker, as IDs do). */
function vint(b: Uint8Array, at: number, raw: boolean): { length: number; value: number } | null {
  const first = b[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > b.length) return null;
  let value = raw ? first : first & (0xff >> length);
  let unknown = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[at + i]!;
    unknown &&= b[at + i] === 0xff;
  }
  return { length, value: !raw && unknown ? -1 : value };
}

function unsignedOf(b: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (b[at + i] ?? 0);
  return value;
}

export function* matroskaEvents(b: Uint8Array): Generator<MatroskaEvent> {
  let entry: { number: number; codec: string; codecPrivate: Uint8Array | null } | null = null;
  let at = 0;
  while (at < b.length) {
    const id = vint(b, at, true);
    const size = id && vint(b, at + id.length, false);
    if (!id || !size) return;
    const body = at + id.length + size.length;
    if (MASTERS.has(id.value)) {
      if (id.value === TRACK_ENTRY) {
        if (entry) yield { type: 'track', ...entry };
        entry = { number: -1, codec: '', codecPrivate: null };
      }
      at = body;
      continue;
    }
    if (size.value < 0 || body + size.value > b.length) return;
    const end = body + size.value;
    if (entry && id.value === TRACK_NUMBER) entry.number = unsignedOf(b, body, size.value);
    else if (entry && id.value === CODEC_ID) {
      entry.codec = String.fromCharCode(...b.subarray(body, end)).replace(/\0+$/, '');
    } else if (entry && id.value === CODEC_PRIVATE) entry.codecPrivate = b.subarray(body, end);
    else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) {
      if (entry) {
        yield { type: 'track', ...entry };
        entry = null;
      }
      yield* blockFrames(b, body, end);
    }
    at = end;
  }
  if (entry) yield { type: 'track', ...entry };
}

/** The frames of one (Simple)Block: track number, 16-bit timecode, flags, then one frame or a laced run. */
function* blockFrames(b: Uint8Array, start: number, end: number): Generator<MatroskaEvent> {
  const track = vint(b, start, false);
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
    const first = vint(b, at, false);
    if (!first || first.value < 0) return;
    sizes.push(first.value);
    at += first.length;
    for (let k = 1; k < count - 1; k++) {
      const delta = vint(b, at, false);
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
