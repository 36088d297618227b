import { FLACDecoder } from '@wasm-audio-decoders/flac';
import CodecParser, { type CodecFrame } from 'codec-parser';
import type { MonoCollector } from '../mono-collector.js';
import { checkChannels } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { decodeWhole, type CodecStream, type PcmSink } from './codec-stream.js';
import { frameData, parsedChunk, parsedRest } from './parsed.js';

/** Samples a FLAC frame holds at most (16-bit block size field). */
const MAX_FRAME_SAMPLES = 65_536;

/**
 * FLAC, frame by frame as the bytes arrive: codec-parser finds the frames (sync code, header CRC-8, frame CRC-16)
 * and libFLAC decodes them, as many per call as the sink allows. libFLAC decodes exactly one frame per frame handed
 * to it, so a call can never produce more than its frame count × 65,536 samples × channels, whatever the headers
 * say. Only STREAMINFO (read from the first bytes) goes to libFLAC ahead of the frames, for frames that take their
 * rate or sample size from it.
 */
export function flacStream(sink: PcmSink): CodecStream {
  const parser = new CodecParser<CodecFrame>('audio/flac', { enableFrameCRC32: false });
  let decoder: FLACDecoder | null = null;
  let channels = 8;
  let errors = 0;
  const decode = async (frames: Iterable<CodecFrame>) => {
    const d = decoder!;
    errors += await sink.feed(frameData(frames), { maxFramesPerUnit: MAX_FRAME_SAMPLES, channels }, (batch) =>
      d.decodeFrames(batch),
    );
  };
  return {
    async push(bytes) {
      if (!decoder) {
        const info = streamInfoBlock(bytes);
        if (info) channels = ((info[12]! >> 1) & 0x07) + 1;
        checkChannels(channels);
        decoder = new FLACDecoder();
        await decoder.ready;
        if (info) await decoder.decodeFrames([info]);
      }
      await decode(parsedChunk(parser, bytes));
    },
    async end() {
      if (decoder) await decode(parsedRest(parser));
      if (sink.seconds === 0 && errors > 0)
        throw refuse.undecodable('The FLAC data could not be decoded (corrupt)');
    },
    free() {
      decoder?.free();
      decoder = null;
    },
  };
}

/** A whole FLAC file into the collector. */
export function decodeFlac(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  return decodeWhole(flacStream(sink), bytes);
}

/**
 * "fLaC" and the STREAMINFO block alone, marked as the last metadata block (the other blocks, pictures and tags,
 * are not needed to decode); null without a STREAMINFO first block.
 */
function streamInfoBlock(b: Uint8Array): Uint8Array | null {
  if (b.length < 42 || b[0] !== 0x66 || b[1] !== 0x4c || b[2] !== 0x61 || b[3] !== 0x43) return null;
  if ((b[4]! & 0x7f) !== 0 || b[5] !== 0 || b[6] !== 0 || b[7] !== 34) return null;
  const block = Uint8Array.from(b.subarray(0, 42));
  block[4] = 0x80;
  return block;
}
