import { createHash } from 'node:crypto';
import { wavHeader } from '@mira/core';
import { openSession, openSocket, type RealtimeMessage, type TestSocket } from './realtime-client.js';

/** 20 ms of PCM16 at 16 kHz: the frame size the tests stream in. */
export const FRAME_BYTES = 640;
export const FRAME_MS = 20;

export type LiveAck = RealtimeMessage & {
  committed_seq: number;
  seq_from: number;
  seq_to: number;
  chunk_id: string;
  duration_seconds: number;
  replayed: boolean;
};

export function liveAudioUrl(
  baseUrl: string,
  networkId: string,
  streamId: string,
  token: string | null,
  version: 1 | 2 = 1,
): string {
  const url = new URL(`/api/v${version}/${networkId}/streams/${streamId}/ws`, baseUrl.replace(/^http/, 'ws'));
  if (token !== null) url.searchParams.set('token', token);
  return url.toString();
}

/** Opens the socket and waits for `ready` (rejects with the close code when the server refuses it). */
export function openLive(url: string): Promise<TestSocket> {
  return openSession(url, 'ready');
}

/** How the server closes a socket it refuses (or one that broke the protocol). */
export async function refusal(url: string): Promise<{ code: number; reason: string }> {
  const socket = await openSocket(url);
  return socket.closed;
}

export function acks(socket: TestSocket): LiveAck[] {
  return socket.events('ack') as LiveAck[];
}

/** PCM16 cut into 20 ms frames (a trailing partial frame is dropped). */
export function frames(pcm: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + FRAME_BYTES <= pcm.length; at += FRAME_BYTES)
    out.push(pcm.subarray(at, at + FRAME_BYTES));
  return out;
}

/** Sends frames [from, to) (binary); resolves once the last one is written to TCP. */
export async function sendFrames(socket: TestSocket, all: Buffer[], from: number, to: number): Promise<void> {
  const writes = [];
  for (let i = from; i < to; i++) {
    writes.push(
      new Promise<void>((resolve, reject) =>
        socket.ws.send(all[i]!, (err) => (err ? reject(err) : resolve())),
      ),
    );
  }
  await Promise.all(writes);
}

/** The content hash the ingestion stores for a live chunk: its WAV bytes and capture time. */
export function liveChunkHash(pcm: Buffer, capturedAtMs: number): string {
  const wav = Buffer.concat([
    wavHeader({ tag: 1, channels: 1, rate: 16000, bits: 16, dataBytes: pcm.length }),
    pcm,
  ]);
  return createHash('sha256').update(wav).update(`|${capturedAtMs}`).digest('hex');
}
