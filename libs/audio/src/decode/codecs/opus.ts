import { createOpusDecoder, type OpusOptions } from '@audio/decode-opus/core';
import { checkChannels } from '../mono-collector.js';
import { refuse } from '../refusal.js';
import type { PcmSink } from './codec-stream.js';

/** Samples an Opus packet decodes to at most: 120 ms at 48 kHz (RFC 6716 §3.2.5). */
const MAX_PACKET_SAMPLES = 5760;

/** Opus frame length in 48 kHz samples per TOC configuration (RFC 6716 §3.1): SILK, hybrid, CELT. */
const frameSamples = (config: number): number =>
  config < 12
    ? [480, 960, 1920, 2880][config % 4]!
    : config < 16
      ? [480, 960][config % 2]!
      : [120, 240, 480, 960][config % 4]!;

/** 48 kHz samples an Opus packet declares in its TOC (frame length × frame count); 0 for an empty packet. */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const code = toc & 0x03;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return frames * frameSamples(toc >> 3);
}

/** The decoder settings an OpusHead (RFC 7845 §5.1) gives; undecodable when it is not one. */
export function parseOpusHead(head: Uint8Array): OpusOptions & { channels: number } {
  const ascii = String.fromCharCode(...head.subarray(0, 8));
  if (head.length < 19 || ascii !== 'OpusHead' || (head[8]! & 0xf0) !== 0) {
    throw refuse.undecodable('The Opus stream has no valid OpusHead');
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const channels = head[9]!;
  checkChannels(channels);
  const family = head[18]!;
  const options: OpusOptions & { channels: number } = {
    sampleRate: 48_000,
    channels,
    preSkip: view.getUint16(10, true),
    outputGain: view.getInt16(16, true),
  };
  if (family === 0) {
    if (channels > 2) throw refuse.undecodable('An OpusHead of mapping family 0 has at most 2 channels');
    return { ...options, streamCount: 1, coupledStreamCount: channels - 1 };
  }
  if (head.length < 21 + channels) throw refuse.undecodable('The OpusHead channel mapping is truncated');
  return {
    ...options,
    streamCount: head[19]!,
    coupledStreamCount: head[20]!,
    channelMappingTable: Array.from(head.subarray(21, 21 + channels)),
  };
}

/** Opus packets of one stream, decoded as they come; end() says where the audio ends, when the container knows. */
export interface OpusPacketStream {
  packets(packets: Iterable<Uint8Array>): Promise<void>;
  /** `endSamples` (48 kHz, after pre-skip), when the container states it, trims the encoder's padding. */
  end(endSamples: number | null): void;
  free(): void;
}

/**
 * Opus packets (from Ogg or WebM) decoded by libopus, as many per call as the sink allows: a packet decodes to at
 * most 120 ms per channel whatever it holds, so a call's output is bounded by its packet count.
 */
export async function opusPacketStream(
  head: ReturnType<typeof parseOpusHead>,
  sink: PcmSink,
): Promise<OpusPacketStream> {
  checkChannels(head.channels);
  const decoder = await createOpusDecoder();
  try {
    decoder.configure(head);
  } catch (err) {
    decoder.free();
    throw refuse.undecodable(`The Opus stream settings are invalid (${(err as Error).message.slice(0, 80)})`);
  }
  let decoded = 0;
  let errors = 0;
  return {
    async packets(packets) {
      errors += await sink.feed(
        packets,
        { maxFramesPerUnit: MAX_PACKET_SAMPLES, channels: head.channels },
        (batch) => {
          const out = decoder.decodeFrames(batch);
          decoded += out.samplesDecoded;
          return out;
        },
      );
    },
    end(endSamples) {
      if (decoded === 0 && errors > 0)
        throw refuse.undecodable('The Opus data could not be decoded (corrupt)');
      if (endSamples !== null && endSamples >= 0 && decoded > endSamples) sink.trimEnd(decoded - endSamples);
    },
    free: () => decoder.free(),
  };
}
