import type { AppError } from '@mira/core';
import type { DecodedAudio } from '../audio.types.js';
import { SAMPLE_RATE } from '../audio.types.js';
import { AudioErrors } from '../audio.errors.js';
import { acquireDecodeThread, releaseDecodeThread } from './decode-thread.js';
import { DecodeRefusal, type Refusal } from './refusal.js';
import { sniffContainer } from './sniff.js';

export interface DecodeLimits {
  maxBytes: number;
  maxSeconds: number;
}

export interface DecodeHint {
  filename?: string;
  mimetype?: string;
}

/** Port: bytes of any accepted format in, 16 kHz mono float32 out, or an AppError 4xx. */
export interface AudioDecoder {
  readonly name: string;
  decode(bytes: Uint8Array, hint?: DecodeHint): Promise<DecodedAudio>;
  /** Lets go of any thread the decoder runs; it must not be used afterwards. */
  close(): void;
}

/** MIME types that can never be audio: refuse them rather than read text as PCM. */
const NON_AUDIO_MIME =
  /^(text\/|application\/(json|xml|pdf|zip|x-www-form-urlencoded))|^image\/|^video\/(?!webm)/i;

/** A decode still running after this long is abandoned (the thread is replaced) and the upload refused. */
const DECODE_TIMEOUT_MS = 60_000;

export function refusalError(refusal: Refusal, maxSeconds: number): AppError {
  switch (refusal.kind) {
    case 'too_long':
      return AudioErrors.tooLong(refusal.seconds, maxSeconds, refusal.stoppedEarly);
    case 'undecodable':
      return AudioErrors.undecodable(refusal.detail);
    case 'empty':
      return AudioErrors.empty(refusal.detail);
    case 'odd_length':
      return AudioErrors.oddLengthPcm(refusal.bytes);
  }
}

/**
 * Size and container checks here (cheap), everything that reads samples on a worker thread (decode-job.ts): our own
 * RIFF/WAVE reader and the headerless PCM16 path, FLAC, MP3, Ogg (Opus/Vorbis) and WebM (Opus) frame by frame,
 * stopping at AUDIO_MAX_SECONDS; then the channels averaged and resampled to 16 kHz.
 */
export class DefaultAudioDecoder implements AudioDecoder {
  readonly name = 'riff-wav+codec-parser+wasm-codecs (worker thread)';
  private readonly thread = acquireDecodeThread({ jobTimeoutMs: DECODE_TIMEOUT_MS });
  private closed = false;

  constructor(private readonly limits: DecodeLimits) {}

  async decode(bytes: Uint8Array, hint: DecodeHint = {}): Promise<DecodedAudio> {
    if (bytes.length === 0) throw AudioErrors.empty('The audio file has no bytes');
    if (bytes.length > this.limits.maxBytes) throw AudioErrors.tooLarge(bytes.length, this.limits.maxBytes);
    const container = sniffContainer(bytes);
    if (typeof container === 'object') {
      throw AudioErrors.undecodable(
        `${container.unsupported} audio is not supported; send WAV, FLAC, MP3, Ogg/Opus, WebM/Opus or raw PCM16LE 16 kHz`,
      );
    }
    if (container === 'pcm16' && hint.mimetype !== undefined && NON_AUDIO_MIME.test(hint.mimetype)) {
      throw AudioErrors.undecodable(`Content of type ${hint.mimetype} is not audio`);
    }
    try {
      // a copy of its own: the thread takes the buffer over, and the caller's may be a view into a shared pool
      const result = await this.thread.run({
        bytes: new Uint8Array(bytes),
        container,
        maxSeconds: this.limits.maxSeconds,
      });
      return {
        samples: result.samples,
        sampleRate: SAMPLE_RATE,
        durationSeconds: result.samples.length / SAMPLE_RATE,
        format: container,
        originalSampleRate: result.originalSampleRate,
        channels: result.channels,
      };
    } catch (err) {
      if (err instanceof DecodeRefusal) throw refusalError(err.refusal, this.limits.maxSeconds);
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    releaseDecodeThread(this.thread);
  }
}
