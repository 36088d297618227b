import pg from 'pg';
import { readFileSync } from 'node:fs';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { DEV_SPEAKERS } from '../support/speech.js';
import { waitFor } from '../support/wait.js';
import { ensureBuilt } from '../support/build.js';
import { bootCompiledServer } from '../support/compiled-server.js';
import { createTestDatabase } from '../support/database.js';
import { requestJson as json, waitForExit } from '../support/server-process.js';

/**
 * Kill -9 the compiled server while three devices (two hearing the same room,
 * one in another network) stream real speech; restart on the same database. Every chunk answered 200 is stored
 * exactly once (retries of in-flight uploads with the same seq are absorbed), and every winning utterance ends as
 * exactly one interaction (arbitration and utterance jobs resume after the crash).
 */
describe('reliability: crash safety during audio ingestion', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it('audio ingestion from several devices: every chunk answered 200 is stored once, and every winning utterance has exactly one interaction after restart', async () => {
    const db = await createTestDatabase();
    const env = {
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '100',
      STREAM_ARBITRATION_WINDOW_MS: '200',
      STREAM_MAX_CHUNK_SECONDS: '60',
    };
    let proc = await bootCompiledServer(db.url, env);
    try {
      const reg = await json(proc.baseUrl, 'POST', '/api/v1/auth/register', {
        email: 'crash-audio@example.com',
        password: 'correct horse battery',
      });
      const token = reg.body['access_token'] as string;
      const net1 = (await json(proc.baseUrl, 'POST', '/api/v1/networks', { name: 'home' }, token)).body[
        'id'
      ] as string;
      const net2 = (await json(proc.baseUrl, 'POST', '/api/v1/networks', { name: 'office' }, token)).body[
        'id'
      ] as string;
      const device = async (networkId: string, name: string) => {
        const res = await json(
          proc.baseUrl,
          'POST',
          `/api/v1/${networkId}/service/client/register/${name}`,
          undefined,
          token,
        );
        expect(res.status).toBe(201);
        return { networkId, name, token: res.body['client_token'] as string };
      };
      // Two microphones hearing the same room (arbitration picks one copy), and one in another network.
      const devices = [
        await device(net1, 'kitchen'),
        await device(net1, 'hall'),
        await device(net2, 'office'),
      ];
      const files = DEV_SPEAKERS.flatMap((s) => librispeechDevFiles(s).slice(0, 3)).map((f) =>
        readFileSync(f),
      );
      const base = Date.now() - 3_600_000;

      const upload = async (baseUrl: string, d: (typeof devices)[number], seq: number) => {
        const form = new FormData();
        form.set('timestamp', new Date(base + seq * 60_000).toISOString());
        form.set('seq', String(seq));
        form.set('audio_data', new Blob([new Uint8Array(files[seq % files.length] as Buffer)]), 'chunk.flac');
        const res = await fetch(`${baseUrl}/api/v1/${d.networkId}/streams/${d.name}/audio`, {
          method: 'POST',
          headers: { authorization: `Bearer ${d.token}` },
          body: form,
          signal: AbortSignal.timeout(30_000),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };

      const accepted = new Map<string, string>(); // "network/stream/seq" -> chunk_id
      const inFlight: { d: (typeof devices)[number]; seq: number }[] = [];
      const refused: string[] = [];
      let stop = false;
      const first = proc;
      const worker = async (d: (typeof devices)[number]) => {
        for (let seq = 0; !stop; seq++) {
          try {
            const res = await upload(first.baseUrl, d, seq);
            if (res.status === 200)
              accepted.set(`${d.networkId}/${d.name}/${seq}`, res.body['chunk_id'] as string);
            else refused.push(`${d.name}#${seq}: ${res.status} ${String(res.body['error_code'])}`);
          } catch {
            inFlight.push({ d, seq });
            return;
          }
        }
      };
      const workers = devices.map((d) => worker(d));
      await waitFor(() => accepted.size >= 24, {
        what: '24 accepted chunks',
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      first.child.kill('SIGKILL');
      await first.exited;
      stop = true;
      await Promise.all(workers);
      expect(refused).toEqual([]);

      proc = await bootCompiledServer(db.url, env);
      // Devices retry what was in flight with the same seq: absorbed if it had been stored, stored once if not.
      for (const { d, seq } of inFlight) {
        const res = await upload(proc.baseUrl, d, seq);
        expect(res.status).toBe(200);
        accepted.set(`${d.networkId}/${d.name}/${seq}`, res.body['chunk_id'] as string);
      }

      const pg1 = new pg.Client({ connectionString: db.url });
      await pg1.connect();
      try {
        const unfinished = async () =>
          (
            await pg1.query<{ pending: number; unprocessed: number }>(
              `SELECT (SELECT count(*)::int FROM stream_chunks WHERE status = 'pending') AS pending,
                      (SELECT count(*)::int FROM stream_chunks c WHERE c.status = 'won' AND NOT EXISTS (
                         SELECT 1 FROM interactions i WHERE i.network_id = c.network_id AND i.source_chunk_id = c.id
                           AND i.processing_status IN ('done', 'failed'))) AS unprocessed`,
            )
          ).rows[0];
        await waitFor(
          async () => {
            const u = await unfinished();
            return u !== undefined && u.pending === 0 && u.unprocessed === 0;
          },
          {
            what: 'the restarted server to decide and process every chunk',
            timeoutMs: 240_000,
            intervalMs: 500,
          },
        );
        const rows = await pg1.query<{
          id: string;
          network_id: string;
          stream_id: string;
          seq: string;
          status: string;
        }>(`SELECT id, network_id, stream_id, seq::text, status FROM stream_chunks`);
        const byKey = new Map<string, string[]>();
        for (const r of rows.rows) {
          const key = `${r.network_id}/${r.stream_id}/${r.seq}`;
          byKey.set(key, [...(byKey.get(key) ?? []), r.id]);
        }
        const problems: string[] = [];
        for (const [key, chunkId] of accepted) {
          const ids = byKey.get(key) ?? [];
          if (ids.length !== 1 || ids[0] !== chunkId)
            problems.push(`${key}: acknowledged ${chunkId}, stored ${ids.join(',')}`);
        }
        expect(problems).toEqual([]);
        const won = rows.rows.filter((r) => r.status === 'won');
        expect(won.length).toBeGreaterThan(0);
        const perChunk = await pg1.query<{ source_chunk_id: string; n: number; status: string }>(
          `SELECT source_chunk_id, count(*)::int AS n, min(processing_status) AS status
           FROM interactions WHERE source_chunk_id IS NOT NULL GROUP BY source_chunk_id`,
        );
        const counts = new Map(perChunk.rows.map((r) => [r.source_chunk_id, r.n]));
        expect(won.filter((c) => counts.get(c.id) !== 1).map((c) => c.id)).toEqual([]);
        // Interactions only come from winning copies, never from the copy that lost or from silence.
        const winners = new Set(won.map((c) => c.id));
        expect(perChunk.rows.filter((r) => !winners.has(r.source_chunk_id))).toEqual([]);
        const failedJobs = await pg1.query(`SELECT type, last_error FROM jobs WHERE status = 'failed'`);
        expect(failedJobs.rows).toEqual([]);
        process.stderr.write(
          `[crash-safety/audio] ${accepted.size} chunks acknowledged (${inFlight.length} retried after the kill), ${won.length} won, ${perChunk.rows.length} interactions\n`,
        );
      } finally {
        await pg1.end();
      }
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await waitForExit(proc, 20_000);
      }
      await db.drop();
    }
  });
});
