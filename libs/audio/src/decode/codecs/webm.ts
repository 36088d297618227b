import type { MonoCollector } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { decodeWhole, type CodecStream, type PcmSink } from './codec-stream.js';
import { matroskaEvents, MatroskaReader, type MatroskaEvent } from './matroska.js';
import { opusPacketSamples, opusPacketStream, parseOpusHead, type OpusPacketStream } from './opus.js';

const NO_OPUS_TRACK = 'WebM without an Opus audio track is not supported; send WebM/Opus';

/** The first A_OPUS TrackEntry's number and OpusHead (CodecPrivate), if it comes before the first frame. */
function asOpusTrack(event: MatroskaEvent): { number: number; head: Uint8Array } | null {
  return event.type === 'track' && event.codec === 'A_OPUS' && event.codecPrivate
    ? { number: event.number, head: event.codecPrivate }
    : null;
}

/**
 * WebM with an Opus track (what browsers record), packet by packet through libopus as the bytes arrive; other codecs
 * are refused. The track must be declared before the first block (Matroska puts Tracks ahead of the Clusters).
 */
export function webmStream(sink: PcmSink): CodecStream {
  const reader = new MatroskaReader();
  let track = -1;
  let opus: OpusPacketStream | null = null;
  const take = async (parsed: Iterable<MatroskaEvent>) => {
    const events = parsed[Symbol.iterator]();
    while (!opus) {
      const next = events.next();
      if (next.done) return;
      const found = asOpusTrack(next.value);
      if (found) {
        track = found.number;
        opus = await opusPacketStream(parseOpusHead(found.head), sink);
      } else if (next.value.type === 'frame') throw refuse.undecodable(NO_OPUS_TRACK);
    }
    await opus.packets(
      (function* () {
        for (let next = events.next(); !next.done; next = events.next()) {
          if (next.value.type === 'frame' && next.value.track === track) yield next.value.data;
        }
      })(),
    );
  };
  return {
    push: (bytes) => take(reader.push(bytes)),
    async end() {
      await take(reader.end());
      if (!opus) throw refuse.undecodable(NO_OPUS_TRACK);
      opus.end(null);
    },
    free() {
      opus?.free();
      opus = null;
    },
  };
}

/** A whole WebM file into the collector. */
export function decodeWebm(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  return decodeWhole(webmStream(sink), bytes);
}

/**
 * The length of a WebM's Opus track from its packets' TOC bytes, without decoding: a browser's MediaRecorder
 * declares no duration. Null when there is no Opus track or no packet.
 */
export function webmOpusSeconds(bytes: Uint8Array): number | null {
  let track: number | null = null;
  let samples = 0;
  for (const event of matroskaEvents(bytes)) {
    if (track === null) {
      const found = asOpusTrack(event);
      if (found) track = found.number;
      else if (event.type === 'frame') return null;
    } else if (event.type === 'frame' && event.track === track) samples += opusPacketSamples(event.data);
  }
  return samples > 0 ? samples / 48_000 : null;
}
