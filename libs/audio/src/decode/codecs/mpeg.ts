import CodecParser, { type CodecFrame } from 'codec-parser';
import { MPEGDecoder } from 'mpg123-decoder';
import type { MonoCollector } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { parsedUnits } from './parsed.js';

/** Samples an MPEG audio frame holds at most (layers II and III, MPEG 1), per channel; two channels at most. */
const MAX_FRAME_SAMPLES = 1152;

/**
 * MPEG audio (layer III, and layers I/II, which the same decoder plays), frame by frame: codec-parser finds the
 * frames, mpg123 decodes only what it is handed, as many frames per call as MonoCollector.feed allows.
 */
export async function decodeMpeg(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const parser = new CodecParser<CodecFrame>('audio/mpeg', { enableFrameCRC32: false });
    const errors = await sink.feed(
      parsedUnits(parser, bytes),
      { maxFramesPerUnit: MAX_FRAME_SAMPLES, channels: 2 },
      (batch) => {
        const out = decoder.decodeFrames(batch.map((frame) => frame.data));
        // mpg123 always answers two channels; a mono stream's are the same
        const mono = batch.every((frame) => frame.header.channels === 1);
        return mono ? { ...out, channelData: out.channelData.slice(0, 1) } : out;
      },
    );
    if (sink.seconds === 0 && errors > 0)
      throw refuse.undecodable('The MP3 data could not be decoded (corrupt)');
  } finally {
    decoder.free();
  }
}
