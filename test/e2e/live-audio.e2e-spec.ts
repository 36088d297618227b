import { DataSource } from 'typeorm';
import { WebSocket } from 'ws';
import { AudioService } from '@mira/audio';
import { floatToPcm16 } from '@mira/core';
import { LiveAudioSockets } from '@mira/stream';
import { registerClient, Session, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import {
  acks,
  FRAME_MS,
  frames,
  liveAudioUrl,
  liveChunkHash,
  openLive,
  refusal,
  sendFrames,
  type LiveAck,
} from '../support/live-audio-client.js';
import { opusPackets } from '../support/opus-packets.js';
import type { TestSocket } from '../support/realtime-client.js';
import { librispeechDevFiles, librispeechTrainFiles } from '../../tooling/shared-data.js';
import { waitFor } from '../support/wait.js';

interface StoredChunk {
  id: string;
  seq: number;
  content_sha256: string;
  captured_at: Date;
  duration_ms: number;
}

/**
 * Live audio over a WebSocket, through a real `ws` client on the real server and PostgreSQL: LibriSpeech speech in
 * 20 ms PCM16 frames becomes chunks stored by the upload route's ingestion, acknowledged once committed, forwarded
 * to the utterance pipeline; a reconnect resends only what was not acknowledged; a fast sender is held back.
 */
describe('live audio socket', () => {
  let t: TestApp;
  let db: DataSource;
  let owner: { session: Session; networkId: string };
  let deviceToken: string;
  /** Two LibriSpeech utterances as PCM16, ~10 s or more each. */
  let speech: Buffer[];
  /** The first of them as 16 kHz samples. */
  let speechSamples: Float32Array;
  const sockets: TestSocket[] = [];

  const open = async (streamId: string, token = deviceToken, networkId = owner.networkId) => {
    const socket = await openLive(liveAudioUrl(t.baseUrl, networkId, streamId, token));
    sockets.push(socket);
    return socket;
  };
  const hello = (socket: TestSocket, fields: Record<string, unknown>) =>
    socket.ws.send(JSON.stringify({ type: 'hello', ...fields }));
  const lastAck = (socket: TestSocket): LiveAck | undefined => acks(socket).at(-1);
  /** The ack that commits `seq`; fails at once (with the close code) if the server closes the socket first. */
  const ackedThrough = (socket: TestSocket, seq: number) =>
    Promise.race([
      socket.waitFor(
        (m) => m.event === 'ack' && (m as LiveAck).committed_seq >= seq,
        `ack through ${seq} (${acks(socket).length} acks so far)`,
        240_000,
      ),
      socket.closed.then((c) => Promise.reject(new Error(`socket closed ${c.code} ${c.reason}`))),
    ]);
  const stored = async (streamId: string, networkId = owner.networkId): Promise<StoredChunk[]> =>
    (await db.query(
      `SELECT id, seq::int AS seq, content_sha256, captured_at, duration_ms FROM stream_chunks
        WHERE network_id = $1 AND stream_id = $2 ORDER BY seq`,
      [networkId, streamId],
    )) as StoredChunk[];
  const deviceOf = async (clientId: string, household = owner) =>
    (await registerClient(t, household.session, household.networkId, clientId)).Authorization.replace(
      'Bearer ',
      '',
    );

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '50',
      STREAM_ARBITRATION_WINDOW_MS: '100',
    });
    db = t.app.get(DataSource);
    owner = await userWithNetwork(t);
    deviceToken = await deviceOf('kitchen');
    const audio = t.app.get(AudioService);
    const { readFileSync } = await import('node:fs');
    const files = [librispeechDevFiles('1688')[0]!, librispeechTrainFiles()[3]!];
    const decoded = await Promise.all(
      files.map(async (file) => (await audio.decode(readFileSync(file), { filename: file })).samples),
    );
    speechSamples = decoded[0]!;
    speech = decoded.map((samples) => floatToPcm16(samples));
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams speech in 20 ms frames: chunks committed in order, acknowledged, and turned into interactions', async () => {
    const pcm = frames(speech[0]!);
    const startedAt = Date.now() - pcm.length * FRAME_MS;
    const socket = await open('kitchen');
    expect(socket.events('ready')[0]).toMatchObject({
      stream_id: 'kitchen',
      client_id: 'kitchen',
      committed_seq: null,
      max_frame_bytes: 65536,
    });
    hello(socket, { timestamp: startedAt, chunk_seconds: 4, metadata: { app: 'e2e' } });
    await sendFrames(socket, pcm, 0, pcm.length);
    socket.ws.send(JSON.stringify({ type: 'flush' }));
    await ackedThrough(socket, pcm.length - 1);

    const received = acks(socket);
    expect(received.length).toBeGreaterThanOrEqual(2);
    received.forEach((ack, i) => {
      expect(ack.seq_from).toBe(i === 0 ? 0 : received[i - 1]!.seq_to + 1);
      expect(ack.committed_seq).toBe(ack.seq_to);
      expect(ack).toMatchObject({
        stream_id: 'kitchen',
        client_id: 'kitchen',
        seq: ack.seq_to,
        replayed: false,
      });
      expect(ack.duration_seconds).toBeCloseTo(((ack.seq_to - ack.seq_from + 1) * FRAME_MS) / 1000, 3);
      // acknowledged once committed, before any VAD: the speech figures are the energy estimate, and say so
      expect((ack.quality as { basis: string }).basis).toBe('energy');
    });
    // what the acks say is what the database holds, frame for frame
    const rows = await stored('kitchen');
    expect(rows.map((r) => r.id)).toEqual(received.map((a) => a.chunk_id));
    rows.forEach((row, i) => {
      const ack = received[i]!;
      const bytes = Buffer.concat(pcm.slice(ack.seq_from, ack.seq_to + 1));
      expect(row.content_sha256).toBe(liveChunkHash(bytes, startedAt + ack.seq_from * FRAME_MS));
    });
    // the same pipeline as uploaded chunks: every forwarded chunk becomes an interaction
    const interactions = await waitFor(
      async () => {
        const res = await t
          .http()
          .get(`/api/v2/${owner.networkId}/interactions?limit=100`)
          .set(owner.session.auth)
          .expect(200);
        const items = (res.body.items as { source_chunk_id: string; processing_status: string }[]).filter(
          (i) => received.some((a) => a.chunk_id === i.source_chunk_id),
        );
        const won = (await db.query(
          `SELECT count(*)::int AS n FROM stream_chunks WHERE network_id = $1 AND stream_id = 'kitchen' AND status = 'won'`,
          [owner.networkId],
        )) as { n: number }[];
        return items.length > 0 &&
          items.length === won[0]!.n &&
          items.every((i) => i.processing_status === 'done')
          ? items
          : undefined;
      },
      { what: 'interactions of the streamed chunks', timeoutMs: 180_000, intervalMs: 300 },
    );
    expect(interactions.length).toBeGreaterThanOrEqual(1);
    // every chunk forwarded was judged by the VAD in its arbitration (the utterance pipeline read its figures)
    const forwarded = (await db.query(
      `SELECT quality_basis FROM stream_chunks WHERE network_id = $1 AND stream_id = 'kitchen' AND status = 'won'`,
      [owner.networkId],
    )) as { quality_basis: string }[];
    expect(forwarded.map((r) => r.quality_basis)).toEqual(forwarded.map(() => 'vad'));
  }, 500_000);

  it.each([
    { rate: 48000, frameMs: 20, bitrate: '24k' },
    { rate: 16000, frameMs: 60, bitrate: '12k' },
  ] as const)(
    'streams speech as Opus packets ($rate Hz encoder, $frameMs ms each): the same chunks, acks and resumption as PCM',
    async (encoding) => {
      const streamId = `opus-${encoding.rate}`;
      // A household of its own: both encodings stream the same speech backdated to end now, so in one network their
      // aligned moments overlap, and where the alignment lines them up closely the second stream's chunks really are
      // late copies of the first one's forwarded sound (lost without a VAD pass), not the only copies this test needs.
      const household = await userWithNetwork(t);
      const token = await deviceOf(streamId, household);
      const packets = opusPackets(speechSamples, encoding);
      const startedAt = Date.now() - packets.length * encoding.frameMs;
      const socket = await open(streamId, token, household.networkId);
      expect(socket.events('ready')[0]).toMatchObject({ formats: ['pcm16', 'opus'] });
      hello(socket, { timestamp: startedAt, format: 'opus', sample_rate: encoding.rate, chunk_seconds: 3 });
      // the first half, then the connection drops with packets in flight
      const half = Math.floor(packets.length / 2);
      await sendFrames(socket, packets, 0, half);
      await ackedThrough(socket, Math.floor(half / 2));
      socket.ws.terminate();
      await socket.closed;
      // a naive client resends every packet after its last ack; packets already committed are skipped by seq
      const known = lastAck(socket)!.committed_seq;
      const again = await open(streamId, token, household.networkId);
      const ready = again.events('ready')[0] as { committed_seq: number };
      expect(ready.committed_seq).toBeGreaterThanOrEqual(known);
      hello(again, {
        timestamp: startedAt + (known + 1) * encoding.frameMs,
        seq: known + 1,
        format: 'opus',
        sample_rate: encoding.rate,
        chunk_seconds: 3,
      });
      await sendFrames(again, packets, known + 1, packets.length);
      again.ws.send(JSON.stringify({ type: 'flush' }));
      await ackedThrough(again, packets.length - 1);

      expect(acks(again)[0]!.seq_from).toBe(ready.committed_seq + 1);
      const rows = await stored(streamId, household.networkId);
      // every packet stored once, each chunk at its first packet's capture time, lasting its packets' length
      let next = 0;
      for (const row of rows) {
        const count = row.duration_ms / encoding.frameMs;
        expect(Number.isInteger(count)).toBe(true);
        expect(row.seq).toBe(next + count - 1);
        expect(new Date(row.captured_at).getTime()).toBe(startedAt + next * encoding.frameMs);
        next += count;
      }
      expect(next).toBe(packets.length);
      // what was stored is the speech: the VAD judges the chunks as speech like the PCM of the first test (each is its
      // sound's only copy, so each is judged in its arbitration). Weighted by duration: where the drop cuts the stream
      // depends on when acknowledgements arrived, and an unweighted mean lets a short chunk cut at a pause count as
      // much as 3 s of speech
      const scored = await waitFor(
        async () => {
          const rows = (await db.query(
            `SELECT speech_ratio, duration_ms, quality_basis, status FROM stream_chunks
              WHERE network_id = $1 AND stream_id = $2`,
            [household.networkId, streamId],
          )) as { speech_ratio: number; duration_ms: number; quality_basis: string; status: string }[];
          return rows.every((r) => r.status !== 'pending') ? rows : undefined;
        },
        { what: 'arbitration of the Opus chunks', timeoutMs: 180_000, intervalMs: 300 },
      );
      expect(scored.map((r) => r.quality_basis)).toEqual(scored.map(() => 'vad'));
      const mean =
        scored.reduce((sum, r) => sum + r.speech_ratio * r.duration_ms, 0) /
        scored.reduce((sum, r) => sum + r.duration_ms, 0);
      expect(mean).toBeGreaterThan(0.5);
    },
    500_000,
  );

  it('a client that reconnects resends only what was not acknowledged; nothing is stored twice', async () => {
    const streamId = 'hall';
    const token = await deviceOf('hall');
    const pcm = frames(speech[1]!);
    const startedAt = Date.now() - pcm.length * FRAME_MS;
    const first = await open(streamId, token);
    hello(first, { timestamp: new Date(startedAt).toISOString(), seq: 0, chunk_seconds: 2 });
    const half = Math.floor(pcm.length / 2);
    await sendFrames(first, pcm, 0, half);
    await ackedThrough(first, 100);
    // the connection drops with frames in flight: the client knows only the acks it received
    first.ws.terminate();
    await first.closed;
    const known = lastAck(first)!.committed_seq;

    const second = await open(streamId, token);
    const ready = second.events('ready')[0] as { committed_seq: number };
    // the database may hold more than the client heard of (a commit whose ack was lost): never less
    expect(ready.committed_seq).toBeGreaterThanOrEqual(known);
    expect(ready.committed_seq).toBeLessThan(half);
    // a naive client resends everything after its last ack; frames already committed are skipped by seq
    hello(second, { timestamp: startedAt + (known + 1) * FRAME_MS, seq: known + 1, chunk_seconds: 2 });
    await sendFrames(second, pcm, known + 1, pcm.length);
    second.ws.send(JSON.stringify({ type: 'flush' }));
    await ackedThrough(second, pcm.length - 1);
    expect(acks(second)[0]!.seq_from).toBe(ready.committed_seq + 1);

    const rows = await stored(streamId);
    const total = rows.reduce((sum, r) => sum + r.duration_ms, 0);
    expect(total).toBe(pcm.length * FRAME_MS);
    // consecutive chunks, each holding exactly its frames at its capture time
    let next = 0;
    for (const row of rows) {
      const count = row.duration_ms / FRAME_MS;
      expect(row.seq).toBe(next + count - 1);
      expect(new Date(row.captured_at).getTime()).toBe(startedAt + next * FRAME_MS);
      const bytes = Buffer.concat(pcm.slice(next, next + count));
      expect(row.content_sha256).toBe(liveChunkHash(bytes, startedAt + next * FRAME_MS));
      next += count;
    }
    expect(next).toBe(pcm.length);
  }, 500_000);

  it.each(['pcm16', 'opus'] as const)(
    'holds a fast %s sender back: the server stops reading past its pending audio, and everything is still committed',
    async (format) => {
      const streamId = `fast-${format}`;
      const token = await deviceOf(streamId);
      const socket = await open(streamId, token);
      const sessions = t.app.get(LiveAudioSockets);
      const session = await waitFor(() => sessions.list().find((s) => s.identity.streamId === streamId), {
        what: 'the server session',
      });
      // 12 s of speech sent at once: far faster than chunks are decoded, scored and stored. Opus at 6 kb/s in
      // 60 ms packets: ~45 bytes a message, each 1,920 bytes of PCM once decoded.
      const twelveSeconds = new Float32Array(12 * 16_000);
      twelveSeconds.set(speechSamples.subarray(0, twelveSeconds.length));
      const frameMs = format === 'opus' ? 60 : FRAME_MS;
      const messages =
        format === 'opus'
          ? opusPackets(twelveSeconds, { rate: 16000, frameMs: 60, bitrate: '6k' })
          : frames(floatToPcm16(twelveSeconds));
      // 1 s chunks: at most 3 s (96,000 bytes) pending, plus the one message that crossed the line; what the socket
      // had read when it paused waits undecoded
      const bound = 3 * 32_000 + frameMs * 32;
      let maxPending = 0;
      let sawPause = false;
      let clientBacklogWhilePaused = 0;
      const probe = setInterval(() => {
        maxPending = Math.max(maxPending, session.pendingBytes);
        if (session.isPaused) {
          sawPause = true;
          clientBacklogWhilePaused = Math.max(clientBacklogWhilePaused, socket.ws.bufferedAmount);
        }
      }, 2);
      try {
        hello(socket, { timestamp: Date.now() - 12_000, chunk_seconds: 1, format });
        for (const message of messages) socket.ws.send(message);
        socket.ws.send(JSON.stringify({ type: 'flush' }));
        await ackedThrough(socket, messages.length - 1);
      } finally {
        clearInterval(probe);
      }
      expect(sawPause).toBe(true);
      expect(session.stats.pauses).toBeGreaterThanOrEqual(1);
      expect(maxPending).toBeLessThanOrEqual(bound);
      expect(acks(socket).length).toBeGreaterThanOrEqual(10);
      const rows = await stored(streamId);
      expect(rows.reduce((sum, r) => sum + r.duration_ms, 0)).toBe(messages.length * frameMs);
      process.stderr.write(
        `[live-audio/backpressure ${format}] ${acks(socket).length} chunks, ${session.stats.pauses} pauses, ` +
          `${session.stats.held} messages held while paused, max pending ${maxPending} B (bound ${bound} B), ` +
          `client backlog while paused up to ${clientBacklogWhilePaused} B\n`,
      );
    },
    500_000,
  );

  it('refuses another network, a user token, a bad or revoked token, a bad stream id and a stream of another device', async () => {
    const stranger = await userWithNetwork(t);
    const strangerDevice = (
      await registerClient(t, stranger.session, stranger.networkId, 'kitchen')
    ).Authorization.replace('Bearer ', '');
    const url = (networkId: string, streamId: string, token: string | null) =>
      liveAudioUrl(t.baseUrl, networkId, streamId, token);
    // the stranger's device on our network's path, and our device on theirs: not found, like the upload route's 404
    expect(await refusal(url(owner.networkId, 'kitchen', strangerDevice))).toEqual({
      code: 4404,
      reason: 'NETWORK_NOT_FOUND: Network not found',
    });
    expect(await refusal(url(stranger.networkId, 'kitchen', deviceToken))).toMatchObject({ code: 4404 });
    expect(await refusal(url('not-a-uuid', 'kitchen', deviceToken))).toMatchObject({ code: 4404 });
    expect(await refusal(url(owner.networkId, 'kitchen', null))).toEqual({
      code: 4401,
      reason: 'UNAUTHENTICATED: missing token',
    });
    expect(await refusal(url(owner.networkId, 'kitchen', 'mira_ct_forged'))).toMatchObject({ code: 4401 });
    expect(await refusal(url(owner.networkId, 'kitchen', owner.session.accessToken))).toMatchObject({
      code: 4403,
      reason: expect.stringMatching(/^CLIENT_TOKEN_REQUIRED/),
    });
    expect(await refusal(url(owner.networkId, 'best', deviceToken))).toMatchObject({ code: 4422 });
    // 'kitchen' streamed in the first test: it belongs to that device
    const other = await deviceOf('porch');
    expect(await refusal(url(owner.networkId, 'kitchen', other))).toMatchObject({
      code: 4409,
      reason: expect.stringMatching(/^STREAM_OWNED_BY_ANOTHER_CLIENT/),
    });
    // the bearer header works as well as the query
    const viaHeader = new WebSocket(liveAudioUrl(t.baseUrl, owner.networkId, 'porch', null), {
      headers: { Authorization: `Bearer ${other}` },
    });
    const firstMessage = await new Promise<string>((resolve, reject) => {
      viaHeader.once('message', (data) => resolve(data.toString()));
      viaHeader.once('close', (code) => reject(new Error(`closed ${code}`)));
    });
    expect(JSON.parse(firstMessage)).toMatchObject({
      event: 'ready',
      stream_id: 'porch',
      client_id: 'porch',
    });
    viaHeader.close();
    // a device revoked while streaming is cut
    const live = await open('porch', other);
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/service/client/deregister/porch`)
      .set(owner.session.auth)
      .expect(200);
    expect(await live.closed).toEqual({ code: 4401, reason: 'device revoked' });
    // a path that is not a socket's is not upgraded
    await expect(
      refusal(`${t.baseUrl.replace('http', 'ws')}/api/v1/${owner.networkId}/streams/x/wss`),
    ).rejects.toThrow();
  });

  it('closes on malformed messages with the code that names the fault, storing nothing from them', async () => {
    const token = await deviceOf('garbled');
    const cases: [string, (s: TestSocket) => void, number, RegExp][] = [
      ['audio before hello', (s) => s.ws.send(Buffer.alloc(640)), 1008, /hello before audio/],
      ['not JSON', (s) => s.ws.send('hello?'), 1007, /JSON/],
      ['unknown type', (s) => s.ws.send('{"type":"start"}'), 1008, /type must be/],
      [
        'bad hello',
        (s) => s.ws.send(JSON.stringify({ type: 'hello', timestamp: 1, chunk_seconds: 0, format: 'aac' })),
        4422,
        /^VALIDATION_FAILED: .*format.*chunk_seconds|^VALIDATION_FAILED/,
      ],
      [
        'odd-length PCM',
        (s) => {
          hello(s, { timestamp: Date.now() });
          s.ws.send(Buffer.alloc(641));
        },
        1007,
        /2-byte samples/,
      ],
      [
        'a message that is not an Opus packet',
        (s) => {
          hello(s, { timestamp: Date.now(), format: 'opus', sample_rate: 48000 });
          s.ws.send(Buffer.from([0x03]));
        },
        1007,
        /frame 0 is not one valid Opus packet/,
      ],
      [
        'a frame over 64 KiB',
        (s) => {
          hello(s, { timestamp: Date.now() });
          s.ws.send(Buffer.alloc(64 * 1024 + 2));
        },
        1009,
        /.*/,
      ],
      [
        'a later hello going back',
        (s) => {
          hello(s, { timestamp: Date.now(), seq: 10 });
          s.ws.send(Buffer.alloc(640));
          hello(s, { timestamp: Date.now(), seq: 5 });
        },
        1008,
        /go on from seq 11/,
      ],
    ];
    for (const [what, act, code, reason] of cases) {
      const socket = await open('garbled', token);
      act(socket);
      const closed = await socket.closed;
      expect({ what, code: closed.code }).toEqual({ what, code });
      expect(closed.reason).toMatch(reason);
    }
    expect(await stored('garbled')).toEqual([]);
    // the stream still works afterwards
    const socket = await open('garbled', token);
    hello(socket, { timestamp: Date.now() - 2000 });
    await sendFrames(socket, frames(speech[0]!.subarray(0, 64_000)), 0, 100);
    socket.ws.send('{"type":"flush"}');
    await ackedThrough(socket, 99);
    socket.ws.send('{"type":"ping"}');
    await socket.waitFor((m) => m.event === 'pong', 'pong');
  }, 120_000);

  it('documents the socket in OpenAPI; a plain GET of its path is a 426 with the usual error body', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body as {
      paths: Record<string, { get?: { description?: string } }>;
    };
    expect(spec.paths['/api/v1/{network_id}/streams/{stream_id}/ws']?.get?.description).toMatch(
      /committed_seq/,
    );
    const res = await t
      .http()
      .get(`/api/v1/${owner.networkId}/streams/kitchen/ws`)
      .set({ Authorization: `Bearer ${deviceToken}` })
      .expect(426);
    expect(res.body).toMatchObject({ error_code: 'LIVE_AUDIO_UPGRADE_REQUIRED' });
    expect(res.headers['upgrade']).toBe('websocket');
  });
});
