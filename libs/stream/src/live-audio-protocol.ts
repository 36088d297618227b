import { OPUS_SAMPLE_RATES, SAMPLE_RATE } from '@mira/audio';
import { AppError } from '@mira/core';
import { parseChunkFields } from './chunk-input.js';
import type { ChunkAcceptedDto } from './dto/stream.dto.js';

/**
 * The wire protocol of the live audio socket (`/api/v{1,2}/{network_id}/streams/{stream_id}/ws`, docs/streams.md):
 * a second door to the same chunk ingestion as `POST /streams/{stream_id}/audio`.
 *
 * Client → server: text frames are JSON objects with `type` (`hello`, `flush`, `ping`); binary frames are audio in
 * the hello's `format` — PCM16LE mono 16 kHz, or one bare Opus packet (RFC 6716) per message — each one numbered
 * by the server (the hello's `seq`, then +1 per binary frame).
 * Server → client: JSON objects with `event` (`ready`, `ack`, `pong`).
 */

/** Largest message a client may send: 64 KiB (2.048 s of PCM16 at 16 kHz); larger ones close the socket (1009). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Largest text message (hello with its metadata). */
export const MAX_TEXT_BYTES = 8 * 1024;
/** Chunk length when the hello names none, and the range a hello may choose from. */
export const DEFAULT_CHUNK_SECONDS = 5;
export const MIN_CHUNK_SECONDS = 1;
export const MAX_CHUNK_SECONDS = 20;
/** Audio held per socket, received but not yet committed, in chunks: past it the server stops reading. */
export const PENDING_CHUNKS = 3;

/**
 * Close codes. A refusal the upload route answers with HTTP status S closes the socket with 4000 + S (4401, 4403,
 * 4404, 4409, 4413, 4415, 4422, 4503), with `ERROR_CODE: detail` as the reason; the standard codes mean what
 * RFC 6455 says.
 */
export const LiveAudioCloseCode = {
  normal: 1000,
  /** Binary audio before the hello, an unknown message type, a second socket taking the stream over. */
  policyViolation: 1008,
  /** Not JSON, PCM16 with an odd number of bytes, or a message that is not one valid Opus packet. */
  invalidData: 1007,
  /** The instance is shutting down: reconnect, another instance answers. */
  serviceRestart: 1012,
  /** The socket could not be set up or a chunk could not be stored (database unreachable): reconnect. */
  internalError: 1011,
} as const;

/** The close code of a refusal the HTTP door would answer with this error's status. */
export function closeCodeOf(err: AppError): number {
  return 4000 + err.status;
}

/** A close reason within the 123 bytes a close frame can carry. */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

/** What the binary messages after a hello hold. */
export type LiveAudioFormat = 'pcm16' | 'opus';
export const LIVE_AUDIO_FORMATS: readonly LiveAudioFormat[] = ['pcm16', 'opus'];

export interface HelloMessage {
  type: 'hello';
  format: LiveAudioFormat;
  /** Number of the next binary frame; null: the one after the last committed frame (0 for a new stream). */
  seq: number | null;
  /** Capture time (device clock, epoch ms) of the next binary frame's first sample. */
  capturedAtMs: number;
  chunkSeconds: number;
  /** The client's metadata, stored with every chunk (JSON text, ≤ 4 KiB). */
  metadataJson: string | null;
}

export type ClientMessage = HelloMessage | { type: 'flush' } | { type: 'ping' };

/** A malformed message: the socket is closed with this code and reason. */
export class LiveAudioProtocolError extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(closeReason(reason));
  }
}

/** Reads a client text frame; a bad one throws LiveAudioProtocolError or (bad hello fields) a 422 AppError. */
export function parseClientMessage(raw: string, nowMs: number): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    throw new LiveAudioProtocolError(LiveAudioCloseCode.invalidData, 'text frames must be JSON objects');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new LiveAudioProtocolError(LiveAudioCloseCode.invalidData, 'text frames must be JSON objects');
  }
  const fields = message as Record<string, unknown>;
  switch (fields['type']) {
    case 'flush':
      return { type: 'flush' };
    case 'ping':
      return { type: 'ping' };
    case 'hello':
      return parseHello(fields, nowMs);
    default:
      throw new LiveAudioProtocolError(
        LiveAudioCloseCode.policyViolation,
        'type must be hello, flush or ping',
      );
  }
}

function parseHello(fields: Record<string, unknown>, nowMs: number): HelloMessage {
  const problems: { field: string; messages: string[] }[] = [];
  const format = fields['format'] ?? 'pcm16';
  if (!LIVE_AUDIO_FORMATS.includes(format as LiveAudioFormat)) {
    problems.push({
      field: 'format',
      messages: ['format must be pcm16 (PCM16LE mono 16 kHz) or opus (one Opus packet per message)'],
    });
  }
  // PCM is taken as it is, so its rate must be the pipeline's; Opus decodes at 16 kHz whatever its encoder's rate.
  const rates = format === 'opus' ? OPUS_SAMPLE_RATES : [SAMPLE_RATE];
  const rate = fields['sample_rate'] ?? (format === 'opus' ? 48_000 : SAMPLE_RATE);
  if (typeof rate !== 'number' || !rates.includes(rate)) {
    problems.push({
      field: 'sample_rate',
      messages: [`sample_rate must be ${rates.join(', ')} for ${format === 'opus' ? 'opus' : 'pcm16'}`],
    });
  }
  const chunkSeconds = fields['chunk_seconds'] ?? DEFAULT_CHUNK_SECONDS;
  if (
    typeof chunkSeconds !== 'number' ||
    !Number.isInteger(chunkSeconds) ||
    chunkSeconds < MIN_CHUNK_SECONDS ||
    chunkSeconds > MAX_CHUNK_SECONDS
  ) {
    problems.push({
      field: 'chunk_seconds',
      messages: [`chunk_seconds must be an integer from ${MIN_CHUNK_SECONDS} to ${MAX_CHUNK_SECONDS}`],
    });
  }
  const seq = fields['seq'] ?? null;
  if (seq !== null && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) {
    problems.push({ field: 'seq', messages: ['seq must be a non-negative integer'] });
  }
  const metadata = fields['metadata'];
  const metadataJson = metadata === undefined || metadata === null ? null : JSON.stringify(metadata);
  const timestamp = fields['timestamp'];
  let capturedAtMs = 0;
  try {
    // The upload route's rules for the capture time and the metadata (ISO 8601 or epoch ms, 7 days; ≤ 4 KiB).
    const parsed = parseChunkFields(
      {
        timestamp: typeof timestamp === 'number' ? String(timestamp) : timestamp,
        metadata: metadataJson ?? undefined,
      },
      undefined,
      nowMs,
    );
    capturedAtMs = parsed.capturedAt.getTime();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    problems.push(...(err.extra.fields ?? []));
  }
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', problems.map((p) => p.messages.join('; ')).join('; '), 422, {
      fields: problems,
    });
  }
  return {
    type: 'hello',
    format: format as LiveAudioFormat,
    seq: seq as number | null,
    capturedAtMs,
    chunkSeconds: chunkSeconds as number,
    metadataJson,
  };
}

export interface ReadyFields {
  stream_id: string;
  client_id: string;
  /** The last frame stored for good (null: none yet); a client resends only the frames after it. */
  committed_seq: number | null;
  max_frame_bytes: number;
  /** The hello's `format` choices. */
  formats: readonly LiveAudioFormat[];
  default_chunk_seconds: number;
  pending_chunks: number;
}

export function readyMessage(fields: ReadyFields): string {
  return JSON.stringify({ event: 'ready', ...fields });
}

/**
 * A chunk is committed: its audio and its arbitration job are in the database. `committed_seq` is its last frame;
 * the rest is the upload route's answer for the chunk.
 */
export function ackMessage(seqFrom: number, seqTo: number, accepted: ChunkAcceptedDto): string {
  return JSON.stringify({
    event: 'ack',
    committed_seq: seqTo,
    seq_from: seqFrom,
    seq_to: seqTo,
    ...accepted,
  });
}

export const PONG_MESSAGE = JSON.stringify({ event: 'pong' });
