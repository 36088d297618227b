import type CodecParser from 'codec-parser';
import type { CodecFrame, OggPage } from 'codec-parser';

/** Every frame (or Ogg page) codec-parser finds in `bytes`, lazily, the last one included (parser flush). */
export function* parsedUnits<T extends CodecFrame | OggPage>(
  parser: CodecParser<T>,
  bytes: Uint8Array,
): Generator<T> {
  // codec-parser's typings call its generators plain iterators
  yield* parser.parseChunk(bytes) as unknown as Iterable<T>;
  yield* parser.flush() as unknown as Iterable<T>;
}
