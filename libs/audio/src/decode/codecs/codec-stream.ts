import type { DecodedCall } from '../mono-collector.js';

/** What a codec knows about the PCM one of its units (frame, packet) can decode to, whatever the unit claims. */
export interface UnitBounds {
  maxFramesPerUnit: number;
  channels: number;
}

/**
 * Where a codec sends what it decodes: the upload's MonoCollector (bounded by the clip's length) or the streamed
 * recording's sink (bounded per call). The sink decides how many units go to each decoder call.
 */
export interface PcmSink {
  /** Hands `units` to `decode` in calls the sink sizes; answers the number of codec errors reported. */
  feed<T>(
    units: Iterable<T>,
    bounds: UnitBounds,
    decode: (batch: T[]) => DecodedCall | Promise<DecodedCall>,
  ): Promise<number>;
  /** Seconds of audio received so far. */
  readonly seconds: number;
  /** Drops the last `frames` received, as far as the sink still holds them (a container's stated end). */
  trimEnd(frames: number): void;
}

/**
 * One format's decoder, fed the file's bytes in order, in pieces of any size: codec-parser (or the Matroska reader)
 * keeps what a piece ends with for the next, the WASM decoder keeps its state between calls.
 */
export interface CodecStream {
  push(bytes: Uint8Array): Promise<void>;
  /** No more bytes: decodes what the parser still holds and refuses a stream that decoded to nothing but errors. */
  end(): Promise<void>;
  free(): void;
}

/** A whole file through a codec stream (the upload path), freeing the decoder whatever happens. */
export async function decodeWhole(stream: CodecStream, bytes: Uint8Array): Promise<void> {
  try {
    await stream.push(bytes);
    await stream.end();
  } finally {
    stream.free();
  }
}
