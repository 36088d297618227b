import type CodecParser from 'codec-parser';
import type { CodecFrame, OggPage } from 'codec-parser';

/** The frames (or Ogg pages) codec-parser completes with `bytes`; it keeps a partial one for the next chunk. */
export function parsedChunk<T extends CodecFrame | OggPage>(
  parser: CodecParser<T>,
  bytes: Uint8Array,
): Iterable<T> {
  // codec-parser's typings call its generators plain iterators
  return parser.parseChunk(bytes) as unknown as Iterable<T>;
}

/** What codec-parser still holds at the end of the stream (the last frame or page). */
export function parsedRest<T extends CodecFrame | OggPage>(parser: CodecParser<T>): Iterable<T> {
  return parser.flush() as unknown as Iterable<T>;
}

/** The data of each frame. */
export function* frameData(frames: Iterable<CodecFrame>): Generator<Uint8Array> {
  for (const frame of frames) yield frame.data;
}
