import { encodeWav16 } from '@mira/core';
import { transcode } from './audio.js';

/**
 * The packets of an Ogg stream (RFC 3533): each page's segment table says where its packets end (a lacing value
 * below 255 ends one; a packet may go on into the next page).
 */
export function oggPackets(ogg: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let at = 0;
  while (at + 27 <= ogg.length) {
    if (ogg.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`no Ogg page at byte ${at}`);
    const segments = ogg[at + 26]!;
    const table = ogg.subarray(at + 27, at + 27 + segments);
    let body = at + 27 + segments;
    for (const lacing of table) {
      partial.push(ogg.subarray(body, body + lacing));
      body += lacing;
      if (lacing < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    at = body;
  }
  return packets;
}

export interface OpusEncoding {
  /** The rate the encoder is opened at (ffmpeg resamples the 16 kHz speech to it). */
  rate: 16000 | 48000;
  /** Frame length in ms: one packet each. */
  frameMs: 10 | 20 | 40 | 60;
  bitrate: string;
}

/**
 * 16 kHz speech as bare Opus packets, one per frame, as a live client's encoder hands them out: libopus (through
 * ffmpeg) writes Ogg Opus, whose packets are split out and the two header packets (OpusHead, OpusTags) dropped.
 */
export function opusPackets(samples: Float32Array, encoding: OpusEncoding): Buffer[] {
  const ogg = transcode(encodeWav16(samples, 16_000), 'ogg', [
    ...['-c:a', 'libopus', '-application', 'voip', '-b:a', encoding.bitrate],
    ...['-frame_duration', String(encoding.frameMs), '-ar', String(encoding.rate), '-ac', '1'],
  ]);
  const packets = oggPackets(ogg);
  if (packets[0]?.toString('latin1', 0, 8) !== 'OpusHead') throw new Error('ffmpeg wrote no Ogg Opus');
  return packets.slice(2);
}
