import { type LiveChunk, LiveAudioChunker } from './live-audio-chunker.js';

/** A PCM16 frame of `ms` milliseconds whose samples all hold `value` (a chunk's bytes show which frames it took). */
const frame = (ms: number, value: number) => {
  const buffer = Buffer.alloc(ms * 32);
  for (let i = 0; i < buffer.length; i += 2) buffer.writeInt16LE(value, i);
  return buffer;
};

const summary = (c: LiveChunk) => ({
  seqFrom: c.seqFrom,
  seqTo: c.seqTo,
  capturedAtMs: c.capturedAtMs,
  ms: c.pcm.length / 32,
  first: c.pcm.readInt16LE(0),
  last: c.pcm.readInt16LE(c.pcm.length - 2),
});

/** Pushes the frames as if frame i reached the server at `arrivedFrom + i` ms. */
function pushAll(chunker: LiveAudioChunker, frames: Buffer[], arrivedFrom = 0): LiveChunk[] {
  return frames.map((f, i) => chunker.push(f, arrivedFrom + i)).filter((c): c is LiveChunk => c !== null);
}

describe('LiveAudioChunker', () => {
  it('numbers frames from the hello and ends a chunk on the frame that reaches a grid line ≥ half a chunk after its start', () => {
    const chunker = new LiveAudioChunker(null);
    expect(chunker.resumeSeq).toBe(0);
    expect(chunker.start(7, 10_300, 5)).toBeNull();
    const frames = Array.from({ length: 100 }, (_, i) => frame(100, i));
    // the first chunk runs from 10.3 s to the 15 s line, the next one a whole grid step, to 20 s
    expect(pushAll(chunker, frames).map(summary)).toEqual([
      { seqFrom: 7, seqTo: 53, capturedAtMs: 10_300, ms: 4700, first: 0, last: 46 },
      { seqFrom: 54, seqTo: 103, capturedAtMs: 15_000, ms: 5000, first: 47, last: 96 },
    ]);
    expect(chunker.bufferedBytes).toBe(3 * 100 * 32);
    expect(chunker.expectedSeq).toBe(107);
    expect(summary(chunker.flush()!)).toEqual({
      seqFrom: 104,
      seqTo: 106,
      capturedAtMs: 20_000,
      ms: 300,
      first: 97,
      last: 99,
    });
    expect(chunker.flush()).toBeNull();
  });

  it('a first chunk shorter than half a chunk runs on to the next grid line; 1 s chunks stay 1 s long', () => {
    const chunker = new LiveAudioChunker(null);
    chunker.start(0, 4_500, 5);
    const chunks = pushAll(
      chunker,
      Array.from({ length: 60 }, (_, i) => frame(100, i)),
    );
    expect(chunks.map(summary)[0]).toMatchObject({ capturedAtMs: 4_500, ms: 5500 });
    // frames of 20 ms from 10.29 s: each chunk ends on the frame crossing the next whole second
    const short = new LiveAudioChunker(null);
    short.start(0, 10_290, 1);
    const seconds = pushAll(
      short,
      Array.from({ length: 200 }, (_, i) => frame(20, i)),
    ).map((c) => [c.capturedAtMs, c.pcm.length / 32]);
    expect(seconds).toEqual([
      [10_290, 720],
      [11_010, 1000],
      [12_010, 1000],
      [13_010, 1000],
    ]);
  });

  it('skips frames already committed, keeping their time, so a resend after a reconnect stores nothing twice', () => {
    const chunker = new LiveAudioChunker(53);
    expect(chunker.resumeSeq).toBe(54);
    // the client resends from an older ack: seq 40 … ; frames up to 53 only move the clock
    chunker.start(40, 10_300 + 33 * 100, 5);
    const chunks = pushAll(
      chunker,
      Array.from({ length: 64 }, (_, i) => frame(100, 33 + i)),
    );
    expect(chunks.map(summary)).toEqual([
      { seqFrom: 54, seqTo: 103, capturedAtMs: 15_000, ms: 5000, first: 47, last: 96 },
    ]);
    chunker.committed(103);
    expect(chunker.resumeSeq).toBe(104);
  });

  it('a later hello cuts what is buffered and goes on from its own seq and capture time', () => {
    const chunker = new LiveAudioChunker(null);
    chunker.start(0, 1_000, 5);
    pushAll(chunker, [frame(200, 1), frame(200, 2)]);
    const rest = chunker.start(10, 60_000, 5);
    expect(summary(rest!)).toMatchObject({ seqFrom: 0, seqTo: 1, capturedAtMs: 1_000, ms: 400 });
    chunker.push(frame(100, 3), 0);
    expect(summary(chunker.flush()!)).toMatchObject({ seqFrom: 10, seqTo: 10, capturedAtMs: 60_000 });
  });

  it("a chunk's receive time is when its last frame arrived, whether a grid line, a flush or a hello cut it", () => {
    const chunker = new LiveAudioChunker(null);
    chunker.start(0, 10_000, 1);
    // 10 frames of 100 ms, arriving at 5000, 5001, …: the 1 s line is reached by frame 9 (arrived at 5009)
    expect(
      pushAll(
        chunker,
        Array.from({ length: 10 }, (_, i) => frame(100, i)),
        5_000,
      ).map((c) => c.arrivedAtMs),
    ).toEqual([5_009]);
    chunker.push(frame(100, 10), 7_000);
    chunker.push(frame(100, 11), 7_100);
    expect(chunker.flush()?.arrivedAtMs).toBe(7_100); // a flush later than the frames does not move it
    chunker.push(frame(100, 12), 8_000);
    expect(chunker.start(50, 20_000, 1)?.arrivedAtMs).toBe(8_000);
  });
});
