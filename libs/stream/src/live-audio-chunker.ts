import { SAMPLE_RATE } from '@mira/audio';

/** Consecutive frames cut out of a live stream, ready to be stored as one chunk. */
export interface LiveChunk {
  seqFrom: number;
  seqTo: number;
  /** Device-clock capture time of the first sample (epoch ms). */
  capturedAtMs: number;
  /** When the chunk's last frame reached the server (epoch ms, server clock): the chunk's receive time. */
  arrivedAtMs: number;
  /** PCM16LE mono 16 kHz. */
  pcm: Buffer;
}

const BYTES_PER_MS = (SAMPLE_RATE * 2) / 1000;

/**
 * Cuts numbered PCM frames into chunks. A chunk ends after the first frame that reaches a line of the device
 * clock's `chunkSeconds` grid (epoch multiples) at least half a chunk after the chunk's start: devices with synchronised
 * clocks cut the same moment the same way, so arbitration compares whole copies. Frames at or below the committed
 * seq are already stored (a resend after a reconnect): they advance the clock and are dropped.
 */
export class LiveAudioChunker {
  private nextSeq = 0;
  /** Capture time of the next frame's first sample. */
  private clockMs = 0;
  private started = false;
  private parts: Buffer[] = [];
  private bytes = 0;
  private chunkSeqFrom = 0;
  private chunkStartMs = 0;
  private chunkEndLineMs = 0;
  private chunkMs = 0;
  private lastArrivedMs = 0;

  constructor(private committedSeq: number | null) {}

  get isStarted(): boolean {
    return this.started;
  }

  /** The number the next binary frame gets. */
  get expectedSeq(): number {
    return this.nextSeq;
  }

  /** Bytes received and not yet cut into a chunk. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** The first frame a client should send: the one after the last committed frame. */
  get resumeSeq(): number {
    return this.committedSeq === null ? 0 : this.committedSeq + 1;
  }

  /** A hello: the next frame gets `seq` and was captured at `capturedAtMs`; what is buffered is cut first. */
  start(seq: number, capturedAtMs: number, chunkSeconds: number): LiveChunk | null {
    const rest = this.flush();
    this.started = true;
    this.nextSeq = seq;
    this.clockMs = capturedAtMs;
    this.chunkMs = chunkSeconds * 1000;
    return rest;
  }

  /** One binary frame (even length) that reached the server at `arrivedAtMs`; answers the chunk it completes, if any. */
  push(frame: Buffer, arrivedAtMs: number): LiveChunk | null {
    const seq = this.nextSeq++;
    const startMs = this.clockMs;
    this.clockMs += frame.length / BYTES_PER_MS;
    if (this.committedSeq !== null && seq <= this.committedSeq) return null;
    if (this.bytes === 0) {
      this.chunkSeqFrom = seq;
      this.chunkStartMs = startMs;
      // at least half a chunk: the first one after a hello starts anywhere, the next ones just past a line
      this.chunkEndLineMs = Math.ceil((startMs + this.chunkMs / 2) / this.chunkMs) * this.chunkMs;
    }
    this.parts.push(frame);
    this.bytes += frame.length;
    this.lastArrivedMs = arrivedAtMs;
    return this.clockMs >= this.chunkEndLineMs ? this.cut(seq) : null;
  }

  /** Cuts what is buffered now (a flush, a new hello). */
  flush(): LiveChunk | null {
    return this.bytes === 0 ? null : this.cut(this.nextSeq - 1);
  }

  /** A chunk is stored: frames up to `seq` are not taken again. */
  committed(seq: number): void {
    if (this.committedSeq === null || seq > this.committedSeq) this.committedSeq = seq;
  }

  private cut(seqTo: number): LiveChunk {
    const chunk: LiveChunk = {
      seqFrom: this.chunkSeqFrom,
      seqTo,
      capturedAtMs: Math.round(this.chunkStartMs),
      arrivedAtMs: this.lastArrivedMs,
      pcm: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes),
    };
    this.parts = [];
    this.bytes = 0;
    return chunk;
  }
}
