import { type LiveOpusDecoder, SAMPLE_RATE } from '@mira/audio';
import { AppError, AppLogger, closeSocket, floatToPcm16, type Principal, wavHeader } from '@mira/core';
import { WebSocket } from 'ws';
import type { ChunkIngestionService } from './chunk-ingestion.service.js';
import { type LiveChunk, LiveAudioChunker } from './live-audio-chunker.js';
import {
  ackMessage,
  closeCodeOf,
  closeReason,
  LiveAudioCloseCode,
  LiveAudioProtocolError,
  type LiveAudioFormat,
  parseClientMessage,
  PENDING_CHUNKS,
  PONG_MESSAGE,
} from './live-audio-protocol.js';
import { toChunkAcceptedDto } from './stream.mapper.js';

const BYTES_PER_SECOND = SAMPLE_RATE * 2;

export interface LiveAudioIdentity {
  networkId: string;
  streamId: string;
  principal: Extract<Principal, { kind: 'client' }>;
}

/**
 * One live audio socket: numbers the binary frames, decodes them (PCM16 as it is, Opus packets through libopus),
 * cuts them into chunks, stores the chunks one after the other through the upload route's ingestion and
 * acknowledges each once it is committed.
 *
 * Memory is bounded: audio received and not yet committed (the chunk being cut plus the chunks waiting for the
 * database) may reach PENDING_CHUNKS chunks; past that the socket is paused (no more bytes are read from TCP, so
 * the client's own send buffer fills up) until commits bring it under half of that, or leave nothing to commit.
 * Messages the socket had already read when it paused are held as they came, undecoded, and taken in order when
 * it resumes: a few bytes of Opus can declare 120 ms of audio, so decoding them at once would not be bounded.
 */
export class LiveAudioSession {
  readonly chunker: LiveAudioChunker;
  private readonly queue: LiveChunk[] = [];
  private queuedBytes = 0;
  /** Messages read while paused (with when they arrived), taken when reading resumes. */
  private readonly held: { data: Buffer; isBinary: boolean; arrivedAtMs: number }[] = [];
  private format: LiveAudioFormat = 'pcm16';
  private committing: Promise<void> | null = null;
  private chunkSeconds = 0;
  private metadataJson: string | null = null;
  private paused = false;
  private closing = false;
  private draining = false;
  /** Heard from since the last heartbeat (a message or a pong frame), and heartbeats in a row without. */
  alive = true;
  missedBeats = 0;
  readonly stats = { frames: 0, bytes: 0, chunks: 0, pauses: 0, held: 0 };

  constructor(
    readonly ws: WebSocket,
    readonly identity: LiveAudioIdentity,
    committedSeq: number | null,
    private readonly ingestion: ChunkIngestionService,
    private readonly opus: LiveOpusDecoder,
    private readonly logger: AppLogger,
  ) {
    this.chunker = new LiveAudioChunker(committedSeq);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes of audio held: being cut and waiting to be committed. */
  get pendingBytes(): number {
    return this.chunker.bufferedBytes + this.queuedBytes;
  }

  receive(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    const arrivedAtMs = Date.now();
    if (this.paused || this.held.length > 0) {
      this.held.push({ data, isBinary, arrivedAtMs });
      this.stats.held += 1;
      return;
    }
    this.take(data, isBinary, arrivedAtMs);
  }

  private take(data: Buffer, isBinary: boolean, arrivedAtMs: number): void {
    try {
      if (isBinary) this.receiveAudio(data, arrivedAtMs);
      else this.receiveText(data.toString('utf8'));
    } catch (err) {
      this.fail(err);
    }
  }

  private receiveText(raw: string): void {
    const message = parseClientMessage(raw, Date.now());
    if (message.type === 'ping') {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(PONG_MESSAGE);
      return;
    }
    if (message.type === 'flush') {
      this.enqueue(this.chunker.flush());
      return;
    }
    const seq = message.seq ?? (this.chunker.isStarted ? this.chunker.expectedSeq : this.chunker.resumeSeq);
    if (this.chunker.isStarted && seq < this.chunker.expectedSeq) {
      throw new LiveAudioProtocolError(
        LiveAudioCloseCode.policyViolation,
        `a later hello must go on from seq ${this.chunker.expectedSeq}`,
      );
    }
    this.chunkSeconds = message.chunkSeconds;
    this.metadataJson = message.metadataJson;
    this.format = message.format;
    // a hello marks a gap: the Opus decoder's state (prediction across packets) starts afresh
    if (this.format === 'opus') this.opus.restart();
    this.enqueue(this.chunker.start(seq, message.capturedAtMs, message.chunkSeconds));
  }

  private receiveAudio(frame: Buffer, arrivedAtMs: number): void {
    if (!this.chunker.isStarted) {
      throw new LiveAudioProtocolError(LiveAudioCloseCode.policyViolation, 'send a hello before audio');
    }
    const pcm = this.format === 'opus' ? this.decodeOpus(frame) : frame;
    if (pcm.length === 0 || pcm.length % 2 !== 0) {
      throw new LiveAudioProtocolError(
        LiveAudioCloseCode.invalidData,
        'a PCM16 frame holds a whole, non-zero number of 2-byte samples',
      );
    }
    this.stats.frames += 1;
    this.stats.bytes += frame.length;
    this.enqueue(this.chunker.push(pcm, arrivedAtMs));
  }

  private decodeOpus(packet: Buffer): Buffer {
    const samples = this.opus.decode(packet);
    if (!samples) {
      throw new LiveAudioProtocolError(
        LiveAudioCloseCode.invalidData,
        `frame ${this.chunker.expectedSeq} is not one valid Opus packet`,
      );
    }
    return floatToPcm16(samples);
  }

  private enqueue(chunk: LiveChunk | null): void {
    if (chunk) {
      this.queue.push(chunk);
      this.queuedBytes += chunk.pcm.length;
      this.committing ??= this.commitAll().finally(() => (this.committing = null));
    }
    this.applyBackpressure();
  }

  private applyBackpressure(): void {
    const limit = PENDING_CHUNKS * Math.max(1, this.chunkSeconds) * BYTES_PER_SECOND;
    if (!this.paused && this.pendingBytes >= limit) {
      this.paused = true;
      this.stats.pauses += 1;
      this.ws.pause();
    } else if (this.paused && (this.queue.length === 0 || this.pendingBytes <= limit / 2)) {
      // with nothing left to commit only reading can make progress, whatever the chunk being cut holds
      this.paused = false;
      this.takeHeld();
      if (!this.paused && !this.closing && !this.draining) this.ws.resume();
    }
  }

  /** The messages held while paused, in order, until they run out or pause the socket again. */
  private takeHeld(): void {
    while (this.held.length > 0 && !this.paused && !this.closing) {
      const { data, isBinary, arrivedAtMs } = this.held.shift()!;
      this.take(data, isBinary, arrivedAtMs);
    }
  }

  /** Stores the queued chunks in order; the first failure closes the socket (the client resends from its ack). */
  private async commitAll(): Promise<void> {
    while (this.queue.length > 0 && !this.closing) {
      const chunk = this.queue[0]!;
      const { networkId, principal, streamId } = this.identity;
      let receipt;
      try {
        receipt = await this.ingestion.ingest(
          networkId,
          principal,
          streamId,
          {
            buffer: Buffer.concat([
              wavHeader({ tag: 1, channels: 1, rate: SAMPLE_RATE, bits: 16, dataBytes: chunk.pcm.length }),
              chunk.pcm,
            ]),
            originalname: 'live.wav',
            mimetype: 'audio/wav',
          },
          {
            timestamp: String(chunk.capturedAtMs),
            seq: String(chunk.seqTo),
            ...(this.metadataJson ? { metadata: this.metadataJson } : {}),
          },
          undefined,
          new Date(chunk.arrivedAtMs),
          { firstSeq: chunk.seqFrom },
        );
      } catch (err) {
        this.fail(err);
        return;
      }
      // Closed meanwhile: the chunk is stored all the same, and the next ready names it as committed.
      if (this.closing) return;
      this.queue.shift();
      this.queuedBytes -= chunk.pcm.length;
      this.chunker.committed(chunk.seqTo);
      this.stats.chunks += 1;
      if (this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(ackMessage(chunk.seqFrom, chunk.seqTo, toChunkAcceptedDto(receipt)));
      }
      this.applyBackpressure();
    }
  }

  /** Shutdown: reads nothing more and waits for the chunks already cut to be committed and acknowledged. */
  async drain(): Promise<void> {
    this.draining = true;
    this.ws.pause();
    while (this.committing) await this.committing;
  }

  /** Closes with the code a failure calls for; audio not acknowledged is the client's to resend. */
  fail(err: unknown): void {
    if (err instanceof LiveAudioProtocolError) return this.close(err.code, err.message);
    if (err instanceof AppError) {
      // A refusal of a stored seq means another socket fed the stream: the client reconnects and learns where.
      return this.close(closeCodeOf(err), `${err.code}: ${err.detail}`);
    }
    this.logger.error('live_audio_commit_failed', {
      network_id: this.identity.networkId,
      error: err instanceof Error ? err.message : String(err),
    });
    this.close(LiveAudioCloseCode.internalError, 'could not store audio; reconnect and resend');
  }

  /** Takes nothing more and drops the chunks waiting to be committed (the one being committed finishes). */
  stop(): void {
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.held.length = 0;
    this.opus.free();
  }

  close(code: number, reason: string): void {
    this.stop();
    closeSocket(this.ws, code, closeReason(reason));
    // a paused socket reads no close frame: let it read again so the handshake can finish
    if (this.ws.isPaused && this.ws.readyState !== WebSocket.CLOSED) this.ws.resume();
  }
}
