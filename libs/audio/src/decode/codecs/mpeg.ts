import CodecParser, { type CodecFrame } from 'codec-parser';
import { MPEGDecoder } from 'mpg123-decoder';
import type { MonoCollector } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { decodeWhole, type CodecStream, type PcmSink } from './codec-stream.js';
import { parsedChunk, parsedRest } from './parsed.js';

/** Samples an MPEG audio frame holds at most (layers II and III, MPEG 1), per channel; two channels at most. */
const MAX_FRAME_SAMPLES = 1152;

/**
 * MPEG audio (layer III, and layers I/II, which the same decoder plays), frame by frame as the bytes arrive:
 * codec-parser finds the frames, mpg123 decodes only what it is handed, as many frames per call as the sink allows.
 */
export function mpegStream(sink: PcmSink): CodecStream {
  const parser = new CodecParser<CodecFrame>('audio/mpeg', { enableFrameCRC32: false });
  let decoder: MPEGDecoder | null = null;
  let errors = 0;
  const decode = async (frames: Iterable<CodecFrame>) => {
    if (!decoder) {
      decoder = new MPEGDecoder();
      await decoder.ready;
    }
    const d = decoder;
    errors += await sink.feed(frames, { maxFramesPerUnit: MAX_FRAME_SAMPLES, channels: 2 }, (batch) => {
      const out = d.decodeFrames(batch.map((frame) => frame.data));
      // mpg123 always answers two channels; a mono stream's are the same
      const mono = batch.every((frame) => frame.header.channels === 1);
      return mono ? { ...out, channelData: out.channelData.slice(0, 1) } : out;
    });
  };
  return {
    push: (bytes) => decode(parsedChunk(parser, bytes)),
    async end() {
      await decode(parsedRest(parser));
      if (sink.seconds === 0 && errors > 0)
        throw refuse.undecodable('The MP3 data could not be decoded (corrupt)');
    },
    free() {
      decoder?.free();
      decoder = null;
    },
  };
}

/** A whole MP3 file into the collector. */
export function decodeMpeg(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  return decodeWhole(mpegStream(sink), bytes);
}
