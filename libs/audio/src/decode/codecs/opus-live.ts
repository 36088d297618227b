import { createOpusDecoder, type OpusPacketDecoder } from '@audio/decode-opus/core';
import { SAMPLE_RATE } from '../../audio.types.js';
import { opusPacketSamples } from './opus.js';

/** The rates an Opus encoder may be opened at (RFC 6716 §2); packets of any of them decode at any other. */
export const OPUS_SAMPLE_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];

/** An Opus packet lasts at most 120 ms (RFC 6716 §3.2.5): 5760 samples at 48 kHz. */
const MAX_PACKET_SAMPLES_48K = 5760;

/**
 * Bare Opus packets (RFC 6716, no container), one at a time as a live socket receives them, decoded by libopus
 * straight to 16 kHz mono: libopus decodes a packet at any of its rates whatever rate it was encoded at, and a
 * stereo packet is downmixed by the mono decoder. The decoder keeps state between packets (prediction, the
 * encoder's lookahead), so `restart()` is called at a gap in the stream.
 *
 * Created unconfigured (no libopus memory held) so that a socket can hold one from the start and configure it
 * synchronously when its client asks for Opus.
 */
export class LiveOpusDecoder {
  private configured = false;

  private constructor(private readonly decoder: OpusPacketDecoder) {}

  static async create(): Promise<LiveOpusDecoder> {
    return new LiveOpusDecoder(await createOpusDecoder());
  }

  /** A fresh decoder state: the first packet, or the first after a gap. */
  restart(): void {
    this.decoder.configure({ sampleRate: SAMPLE_RATE as 16000, channels: 1 });
    this.configured = true;
  }

  /**
   * One packet to 16 kHz mono samples; null when it is not a valid Opus packet (empty, a table of contents that
   * declares no or over 120 ms of audio, or one libopus refuses).
   */
  decode(packet: Uint8Array): Float32Array | null {
    if (!this.configured) this.restart();
    const declared = opusPacketSamples(packet);
    if (declared === 0 || declared > MAX_PACKET_SAMPLES_48K) return null;
    const out = this.decoder.decodeFrames([packet]);
    if (out.errors.length > 0 || out.samplesDecoded === 0) return null;
    return out.channelData[0]!;
  }

  /** Releases the libopus memory; the decoder is not used again. */
  free(): void {
    this.configured = false;
    this.decoder.free();
  }
}
