import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import CodecParser, { type OggPage } from 'codec-parser';
import type { MonoCollector } from '../mono-collector.js';
import { checkChannels, checkRate } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { decodeOpusPackets, parseOpusHead } from './opus.js';
import { parsedUnits } from './parsed.js';

/** Samples a Vorbis packet decodes to at most: half the largest block size the format allows (8192). */
const MAX_VORBIS_PACKET_SAMPLES = 4096;

/**
 * Ogg, page by page (codec-parser): Opus packets go to libopus, Vorbis packets to libvorbis, as many per call as
 * MonoCollector.feed allows either way. Only the first logical stream is read; Ogg FLAC and other codecs are refused.
 */
export async function decodeOgg(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  let codec = '';
  const parser = new CodecParser<OggPage>('audio/ogg', {
    enableFrameCRC32: false,
    onCodec: (name) => (codec = name),
  });
  const pages = firstStream(parsedUnits(parser, bytes));
  const first = pages.next();
  if (first.done) throw refuse.undecodable('The Ogg data holds no page');
  if (codec === 'opus') {
    let last: OggPage | null = null;
    const head = parseOpusHead(first.value.data);
    const packets = function* () {
      for (const page of pages) {
        last = page;
        for (const frame of page.codecFrames) yield frame.data;
      }
    };
    // The last page's granule position says where the audio ends (RFC 7845 §4): the rest is encoder padding.
    const end = (): number | null =>
      last?.isLastPage && last.absoluteGranulePosition >= 0
        ? Number(last.absoluteGranulePosition) - (head.preSkip ?? 0)
        : null;
    return decodeOpusPackets(packets(), head, sink, end);
  }
  if (codec === 'vorbis') return decodeVorbis(first.value, pages, sink);
  throw refuse.undecodable(
    `Ogg with ${codec || 'an unknown codec'} is not supported; send Ogg/Opus or Ogg/Vorbis`,
  );
}

/** The pages of the stream the first page belongs to (a chained or multiplexed file's others are ignored). */
function* firstStream(pages: Iterable<OggPage>): Generator<OggPage> {
  let serial: number | null = null;
  for (const page of pages) {
    serial ??= page.streamSerialNumber;
    if (page.streamSerialNumber === serial) yield page;
  }
}

async function decodeVorbis(first: OggPage, rest: Iterator<OggPage>, sink: MonoCollector): Promise<void> {
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
    // the decoder takes pages: each batch of packets goes back as slices of the pages they came from
    const packets = function* () {
      for (let next = rest.next(); !next.done; next = rest.next()) {
        const page = next.value;
        for (let i = 0; i < page.codecFrames.length; i++) yield { page, index: i };
      }
    };
    const errors = await sink.feed(
      packets(),
      { maxFramesPerUnit: MAX_VORBIS_PACKET_SAMPLES, channels },
      (batch) => decoder.decodeOggPages(pageSlices(batch)),
    );
    if (sink.seconds === 0 && errors > 0)
      throw refuse.undecodable('The Vorbis data could not be decoded (corrupt)');
  } finally {
    decoder.free();
  }
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
