import type { MonoCollector } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import { matroskaEvents } from './matroska.js';
import { decodeOpusPackets, opusPacketSamples, parseOpusHead } from './opus.js';

/** The Opus track of a WebM (the first A_OPUS TrackEntry): its number and OpusHead (CodecPrivate); null if none. */
function opusTrack(bytes: Uint8Array): { number: number; head: Uint8Array } | null {
  for (const event of matroskaEvents(bytes)) {
    if (event.type === 'track' && event.codec === 'A_OPUS' && event.codecPrivate) {
      return { number: event.number, head: event.codecPrivate };
    }
    if (event.type === 'frame') return null;
  }
  return null;
}

function* opusPackets(bytes: Uint8Array, track: number): Generator<Uint8Array> {
  for (const event of matroskaEvents(bytes)) {
    if (event.type === 'frame' && event.track === track) yield event.data;
  }
}

/** WebM with an Opus track (what browsers record), packet by packet through libopus; other codecs are refused. */
export async function decodeWebm(bytes: Uint8Array, sink: MonoCollector): Promise<void> {
  const track = opusTrack(bytes);
  if (!track) throw refuse.undecodable('WebM without an Opus audio track is not supported; send WebM/Opus');
  await decodeOpusPackets(opusPackets(bytes, track.number), parseOpusHead(track.head), sink);
}

/**
 * The length of a WebM's Opus track from its packets' TOC bytes, without decoding: a browser's MediaRecorder
 * declares no duration. Null when there is no Opus track or no packet.
 */
export function webmOpusSeconds(bytes: Uint8Array): number | null {
  const track = opusTrack(bytes);
  if (!track) return null;
  let samples = 0;
  for (const packet of opusPackets(bytes, track.number)) samples += opusPacketSamples(packet);
  return samples > 0 ? samples / 48_000 : null;
}
