import decodeAudio from 'audio-decode';
import { AudioErrors } from '../audio.errors.js';
import type { PcmFrames } from './pcm-stream.js';
import type { FrameSource } from './recording-decoder.js';

type ChunkDecoder = ((chunk?: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>) & {
  free?: () => void;
};

/** Bytes handed to the codec per call: small calls keep each blocking stretch of the event loop short. */
const SLICE_BYTES = 64 * 1024;

/**
 * FLAC, MP3, Ogg (Opus, Vorbis) and WebM/Opus as the bytes arrive, through audio-decode's stateful chunk decoders,
 * in small slices with a turn of the event loop between them.
 */
export function compressedFrameSource(container: 'flac' | 'mp3' | 'ogg' | 'webm'): FrameSource {
  let decoder: Promise<ChunkDecoder> | null = null;
  const open = (first: Uint8Array): Promise<ChunkDecoder> => {
    const name = container === 'ogg' ? (isOggOpus(first) ? 'opus' : 'oga') : container;
    const factory = (decodeAudio as unknown as Record<string, () => Promise<ChunkDecoder>>)[name];
    if (!factory) throw AudioErrors.undecodable(`No decoder for ${container}`);
    return factory();
  };
  const run = async (call: () => Promise<{ channelData: Float32Array[]; sampleRate: number }>) => {
    try {
      const out = await call();
      const channels = out.channelData.filter((c) => c.length > 0);
      return channels.length > 0 ? { channels, rate: out.sampleRate } : null;
    } catch (err) {
      throw AudioErrors.undecodable(
        `The ${container.toUpperCase()} data could not be decoded (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'})`,
      );
    }
  };
  return {
    async push(bytes) {
      decoder ??= open(bytes);
      const d = await decoder;
      const parts: PcmFrames[] = [];
      for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
        const frames = await run(() => d(bytes.subarray(at, at + SLICE_BYTES)));
        if (frames) parts.push(frames);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return joinFrames(parts);
    },
    async end() {
      if (!decoder) return null;
      const d = await decoder;
      return run(() => d());
    },
    close() {
      void decoder?.then((d) => d.free?.()).catch(() => undefined);
    },
  };
}

function isOggOpus(bytes: Uint8Array): boolean {
  const text = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 64)));
  return text.includes('OpusHead');
}

function joinFrames(parts: PcmFrames[]): PcmFrames | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  const rate = parts[0]!.rate;
  const channels = Math.min(...parts.map((p) => p.channels.length));
  const length = parts.reduce((n, p) => n + p.channels[0]!.length, 0);
  const out = Array.from({ length: channels }, () => new Float32Array(length));
  let at = 0;
  for (const p of parts) {
    if (p.rate !== rate) throw AudioErrors.undecodable('The sample rate changes within the file');
    for (let c = 0; c < channels; c++) out[c]!.set(p.channels[c]!.subarray(0, p.channels[0]!.length), at);
    at += p.channels[0]!.length;
  }
  return { channels: out, rate };
}
