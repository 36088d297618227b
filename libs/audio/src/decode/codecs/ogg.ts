import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import CodecParser, { type OggPage } from 'codec-parser';
import type { MonoCollector } from '../mono-collector.js';
import { checkChannels, checkRate } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { decodeWhole, type CodecStream, type PcmSink } from './codec-stream.js';
import { opusPacketStream, parseOpusHead } from './opus.js';
import { parsedChunk, parsedRest } from './parsed.js';

/** Samples a Vorbis packet decodes to at most: half the largest block size the format allows (8192). */
const MAX_VORBIS_PACKET_SAMPLES = 4096;

/** The codec of one logical Ogg stream, opened on its first page and fed the pages after it. */
interface OggCodec {
  pages(pages: Iterable<OggPage>): Promise<void>;
  end(): void;
  free(): void;
}

/**
 * Ogg, page by page as the bytes arrive (codec-parser): Opus packets go to libopus, Vorbis packets to libvorbis, as
 * many per call as the sink allows either way. Only the first logical stream is read; Ogg FLAC and other codecs are
 * refused.
 */
export function oggStream(sink: PcmSink): CodecStream {
  let codecName = '';
  const parser = new CodecParser<OggPage>('audio/ogg', {
    enableFrameCRC32: false,
    onCodec: (name) => (codecName = name),
  });
  let serial: number | null = null;
  let codec: OggCodec | null = null;
  /** The pages of the stream the first page belongs to (a chained or multiplexed file's others are ignored). */
  const ownPages = function* (pages: Iterable<OggPage>): Generator<OggPage> {
    for (const page of pages) {
      serial ??= page.streamSerialNumber;
      if (page.streamSerialNumber === serial) yield page;
    }
  };
  const take = async (parsed: Iterable<OggPage>) => {
    const pages = ownPages(parsed);
    if (!codec) {
      const first = pages.next();
      if (first.done) return;
      codec = await openCodec(codecName, first.value, sink);
    }
    await codec.pages({ [Symbol.iterator]: () => pages });
  };
  return {
    push: (bytes) => take(parsedChunk(parser, bytes)),
    async end() {
      await take(parsedRest(parser));
      if (!codec) throw refuse.undecodable('The Ogg data holds no page');
      codec.end();
    },
    free() {
      codec?.free();
      codec = null;
    },
  };
}

/** A whole Ogg file into the collector. */
export function decodeOgg(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  return decodeWhole(oggStream(sink), bytes);
}

function openCodec(name: string, first: OggPage, sink: PcmSink): Promise<OggCodec> {
  if (name === 'opus') return opusCodec(first, sink);
  if (name === 'vorbis') return vorbisCodec(first, sink);
  throw refuse.undecodable(
    `Ogg with ${name || 'an unknown codec'} is not supported; send Ogg/Opus or Ogg/Vorbis`,
  );
}

async function opusCodec(first: OggPage, sink: PcmSink): Promise<OggCodec> {
  const head = parseOpusHead(first.data);
  const opus = await opusPacketStream(head, sink);
  let last: OggPage | null = null;
  return {
    pages: (pages) =>
      opus.packets(
        (function* () {
          for (const page of pages) {
            last = page;
            for (const frame of page.codecFrames) yield frame.data;
          }
        })(),
      ),
    // The last page's granule position says where the audio ends (RFC 7845 §4): the rest is encoder padding.
    end: () =>
      opus.end(
        last?.isLastPage && last.absoluteGranulePosition >= 0
          ? Number(last.absoluteGranulePosition) - (head.preSkip ?? 0)
          : null,
      ),
    free: () => opus.free(),
  };
}

async function vorbisCodec(first: OggPage, sink: PcmSink): Promise<OggCodec> {
  // identification header: 0x01 "vorbis", version (4), channels (1), rate (4, little-endian)
  const id = first.data;
  if (id.length < 16 || id[0] !== 1)
    throw refuse.undecodable('The Vorbis stream has no identification header');
  const channels = id[11]!;
  checkChannels(channels);
  checkRate(new DataView(id.buffer, id.byteOffset, id.byteLength).getUint32(12, true));
  const decoder = new OggVorbisDecoder();
  await decoder.ready;
  try {
    await decoder.decodeOggPages([first]);
  } catch (err) {
    decoder.free();
    throw err;
  }
  let errors = 0;
  return {
    async pages(pages) {
      // the decoder takes pages: each batch of packets goes back as slices of the pages they came from
      const packets = function* () {
        for (const page of pages) {
          for (let i = 0; i < page.codecFrames.length; i++) yield { page, index: i };
        }
      };
      errors += await sink.feed(
        packets(),
        { maxFramesPerUnit: MAX_VORBIS_PACKET_SAMPLES, channels },
        (batch) => decoder.decodeOggPages(pageSlices(batch)),
      );
    },
    end() {
      if (sink.seconds === 0 && errors > 0)
        throw refuse.undecodable('The Vorbis data could not be decoded (corrupt)');
    },
    free: () => decoder.free(),
  };
}

/** Consecutive packets as page-shaped slices; only the slice ending a last page keeps its end-of-stream mark. */
function pageSlices(batch: Array<{ page: OggPage; index: number }>): OggPage[] {
  const slices: OggPage[] = [];
  for (let at = 0; at < batch.length;) {
    const { page, index } = batch[at]!;
    let end = at;
    while (end + 1 < batch.length && batch[end + 1]!.page === page) end++;
    const last = batch[end]!.index;
    slices.push({
      ...page,
      codecFrames: page.codecFrames.slice(index, last + 1),
      isLastPage: page.isLastPage && last === page.codecFrames.length - 1,
    } as OggPage);
    at = end + 1;
  }
  return slices;
}
