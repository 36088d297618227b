import pg from 'pg';
import { floatToPcm16 } from '@mira/core';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { decodeSpeechFile } from '../support/audio.js';
import { ensureBuilt } from '../support/build.js';
import { bootCompiledServer } from '../support/compiled-server.js';
import { createTestDatabase } from '../support/database.js';
import {
  acks,
  FRAME_MS,
  frames,
  liveAudioUrl,
  liveChunkHash,
  openLive,
  type LiveAck,
} from '../support/live-audio-client.js';
import type { TestSocket } from '../support/realtime-client.js';
import { requestJson as json, waitForExit } from '../support/server-process.js';
import { waitFor } from '../support/wait.js';

/**
 * Kill -9 the compiled server while a device streams real speech over the live audio socket faster than it can be
 * stored; restart on the same database and let the device reconnect and resend everything after the last ack it
 * heard. Every acknowledged chunk is stored, once, with its id; no frame is stored twice or lost; every winning
 * chunk ends as exactly one interaction.
 */
describe('reliability: crash safety of the live audio socket', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it('an acknowledged frame survives kill -9; a reconnecting client resends only the rest, and nothing is stored twice', async () => {
    const db = await createTestDatabase();
    const env = { TRANSCRIBER: 'none', JOBS_POLL_INTERVAL_MS: '100', STREAM_ARBITRATION_WINDOW_MS: '200' };
    let proc = await bootCompiledServer(db.url, env);
    const sockets: TestSocket[] = [];
    try {
      const reg = await json(proc.baseUrl, 'POST', '/api/v1/auth/register', {
        email: 'crash-live@example.com',
        password: 'correct horse battery',
      });
      const token = reg.body['access_token'] as string;
      const networkId = (await json(proc.baseUrl, 'POST', '/api/v1/networks', { name: 'home' }, token)).body[
        'id'
      ] as string;
      const device = await json(
        proc.baseUrl,
        'POST',
        `/api/v1/${networkId}/service/client/register/kitchen`,
        undefined,
        token,
      );
      const deviceToken = device.body['client_token'] as string;
      const speech = await Promise.all(
        librispeechDevFiles('1998')
          .slice(0, 3)
          .map(async (file) => floatToPcm16(await decodeSpeechFile(file))),
      );
      const pcm = frames(Buffer.concat(speech));
      const base = Date.now() - pcm.length * FRAME_MS;
      const connect = async (baseUrl: string) => {
        const socket = await openLive(liveAudioUrl(baseUrl, networkId, 'kitchen', deviceToken));
        sockets.push(socket);
        return socket;
      };

      const first = await connect(proc.baseUrl);
      first.ws.send(JSON.stringify({ type: 'hello', timestamp: base, seq: 0, chunk_seconds: 2 }));
      for (const frame of pcm) first.ws.send(frame);
      await first.waitFor((m) => m.event === 'ack' && acks(first).length >= 4, 'four acks', 120_000);
      proc.child.kill('SIGKILL');
      await proc.exited;
      await first.closed;
      const heard: LiveAck[] = acks(first);
      const known = heard.at(-1)!.committed_seq;
      expect(known).toBeLessThan(pcm.length - 1);

      proc = await bootCompiledServer(db.url, env);
      const second = await connect(proc.baseUrl);
      const ready = second.events('ready')[0] as { committed_seq: number };
      expect(ready.committed_seq).toBeGreaterThanOrEqual(known);
      second.ws.send(
        JSON.stringify({
          type: 'hello',
          timestamp: base + (known + 1) * FRAME_MS,
          seq: known + 1,
          chunk_seconds: 2,
        }),
      );
      for (let i = known + 1; i < pcm.length; i++) second.ws.send(pcm[i]!);
      second.ws.send(JSON.stringify({ type: 'flush' }));
      await second.waitFor(
        (m) => m.event === 'ack' && (m as LiveAck).committed_seq === pcm.length - 1,
        'the last frame acknowledged',
        180_000,
      );

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const rows = (
          await client.query<{
            id: string;
            seq: number;
            duration_ms: number;
            captured_at: Date;
            content_sha256: string;
          }>(
            `SELECT id, seq::int AS seq, duration_ms, captured_at, content_sha256 FROM stream_chunks
              WHERE network_id = $1 AND stream_id = 'kitchen' ORDER BY seq`,
            [networkId],
          )
        ).rows;
        // every frame once, in order, at its capture time, with its bytes
        let next = 0;
        for (const row of rows) {
          const count = row.duration_ms / FRAME_MS;
          expect(Number(row.seq)).toBe(next + count - 1);
          expect(new Date(row.captured_at).getTime()).toBe(base + next * FRAME_MS);
          expect(row.content_sha256).toBe(
            liveChunkHash(Buffer.concat(pcm.slice(next, next + count)), base + next * FRAME_MS),
          );
          next += count;
        }
        expect(next).toBe(pcm.length);
        // what was acknowledged before the kill is stored under the id the ack named
        const ids = new Map(rows.map((r) => [Number(r.seq), r.id]));
        expect(heard.filter((a) => ids.get(a.seq_to) !== a.chunk_id)).toEqual([]);

        await waitFor(
          async () => {
            const {
              rows: [u],
            } = await client.query<{ pending: number; unprocessed: number }>(
              `SELECT (SELECT count(*)::int FROM stream_chunks WHERE status = 'pending') AS pending,
                      (SELECT count(*)::int FROM stream_chunks c WHERE c.status = 'won' AND NOT EXISTS (
                         SELECT 1 FROM interactions i WHERE i.network_id = c.network_id AND i.source_chunk_id = c.id
                           AND i.processing_status IN ('done', 'failed'))) AS unprocessed`,
            );
            return u !== undefined && u.pending === 0 && u.unprocessed === 0;
          },
          { what: 'every chunk decided and processed', timeoutMs: 240_000, intervalMs: 500 },
        );
        const perChunk = await client.query<{ source_chunk_id: string; n: number }>(
          `SELECT source_chunk_id, count(*)::int AS n FROM interactions
            WHERE network_id = $1 AND source_chunk_id IS NOT NULL GROUP BY source_chunk_id`,
          [networkId],
        );
        expect(perChunk.rows.length).toBeGreaterThan(0);
        expect(perChunk.rows.filter((r) => r.n !== 1)).toEqual([]);
        process.stderr.write(
          `[crash-safety/live-audio] ${pcm.length} frames, ${heard.length} acks before the kill (through seq ${known}, ` +
            `database through ${ready.committed_seq}), ${rows.length} chunks stored, ${perChunk.rows.length} interactions\n`,
        );
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(sockets.map((s) => s.close()));
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await waitForExit(proc, 20_000);
      }
      await db.drop();
    }
  });
});
