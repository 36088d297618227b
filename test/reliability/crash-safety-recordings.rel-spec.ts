import pg from 'pg';
import { encodeWav16 } from '@mira/core';
import { testPipeline } from '../support/audio.js';
import { ensureBuilt } from '../support/build.js';
import { bootCompiledServer } from '../support/compiled-server.js';
import { buildDialogue } from '../support/conversation-audio.js';
import { createTestDatabase } from '../support/database.js';
import { FakeGemini } from '../support/fake-gemini.js';
import { requestJson as json, type ServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait.js';

/**
 * kill -9 the compiled server twice while it processes a recording — once while it analyses the audio, once while it
 * turns the turns into interactions — and restart it on the same database each time. The task resumes where it
 * stopped and ends done; every turn exists once, with exactly one interaction, and the turns are the same as those of
 * the same recording processed without a crash.
 */
describe('reliability: crash safety while a recording is processed', () => {
  let gemini: FakeGemini;

  beforeAll(async () => {
    await ensureBuilt();
    gemini = await FakeGemini.start();
    // slow text: the turns stage takes long enough to be caught in the middle
    gemini.respondWith(() => ({ kind: 'text', text: 'words of this turn', delayMs: 400 }));
  });

  afterAll(async () => {
    await gemini.close();
  });

  it('resumes after each crash without a duplicate turn or interaction', async () => {
    const db = await createTestDatabase();
    const env = {
      ...gemini.env(),
      TRANSCRIBER: 'gemini',
      JOBS_POLL_INTERVAL_MS: '100',
      JOBS_LEASE_MS: '15000',
    };
    const boot = () => bootCompiledServer(db.url, env);
    const pipeline = await testPipeline();
    const dialogue = await buildDialogue(pipeline, ['1688', '1998', '2033'], {
      turns: 18,
      maxTurnSeconds: 10,
    });
    pipeline.close();
    const wav = encodeWav16(dialogue.samples, 16_000);

    let proc: ServerProcess = await boot();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const state = async (id: string) =>
      (
        await client.query<{ stage: string; status: string; analysed: number; done: number; total: number }>(
          `SELECT r.stage, r.status,
                  (SELECT count(*)::int FROM recording_audio a WHERE a.recording_id = r.id AND a.kind = 'analysis') AS analysed,
                  (SELECT count(*)::int FROM recording_segments s WHERE s.recording_id = r.id AND s.status = 'done') AS done,
                  (SELECT count(*)::int FROM recording_segments s WHERE s.recording_id = r.id) AS total
           FROM recordings r WHERE r.id = $1`,
          [id],
        )
      ).rows[0]!;
    try {
      const token = (
        await json(proc.baseUrl, 'POST', '/api/v1/auth/register', {
          email: 'crash-recording@example.com',
          password: 'correct horse battery',
        })
      ).body['access_token'] as string;
      const network = async (name: string) =>
        (await json(proc.baseUrl, 'POST', '/api/v1/networks', { name }, token)).body['id'] as string;
      const upload = async (baseUrl: string, networkId: string) => {
        const form = new FormData();
        form.set('audio', new Blob([new Uint8Array(wav)]), 'meeting.wav');
        const res = await fetch(`${baseUrl}/api/v1/${networkId}/recordings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        expect(res.status).toBe(202);
        return (await res.json()) as { recording_id: string; task_id: string };
      };
      const crashed = await network('crashed');
      const { recording_id: id, task_id: taskId } = await upload(proc.baseUrl, crashed);

      // 1. in the middle of the analysis
      await waitFor(async () => (await state(id)).analysed >= 1 && (await state(id)).stage === 'analyse', {
        what: 'analysis under way',
        timeoutMs: 180_000,
        intervalMs: 20,
      });
      proc.child.kill('SIGKILL');
      await proc.exited;
      const afterFirst = await state(id);
      proc = await boot();

      // 2. in the middle of the turns
      await waitFor(
        async () => {
          const s = await state(id);
          return s.stage === 'identify' && s.done >= 3 && s.done < s.total;
        },
        { what: 'turns under way', timeoutMs: 300_000, intervalMs: 20 },
      );
      proc.child.kill('SIGKILL');
      await proc.exited;
      const afterSecond = await state(id);
      proc = await boot();

      const task = await waitFor(
        async () => {
          const res = await json(proc.baseUrl, 'GET', `/api/v1/${crashed}/tasks/${taskId}`, undefined, token);
          return res.body['status'] === 'done' ? res.body : undefined;
        },
        { what: 'the task done after the restarts', timeoutMs: 300_000, intervalMs: 200 },
      );
      expect(task['attempts']).toBeGreaterThanOrEqual(3);

      // The same recording without a crash, in another network: the reference.
      const clean = await network('clean');
      const reference = await upload(proc.baseUrl, clean);
      await waitFor(
        async () => {
          const res = await json(
            proc.baseUrl,
            'GET',
            `/api/v1/${clean}/tasks/${reference.task_id}`,
            undefined,
            token,
          );
          return res.body['status'] === 'done';
        },
        { what: 'the reference task done', timeoutMs: 300_000, intervalMs: 200 },
      );

      const turns = async (networkId: string, recordingId: string) =>
        (await json(proc.baseUrl, 'GET', `/api/v1/${networkId}/recordings/${recordingId}`, undefined, token))
          .body['segments'] as Array<{
          index: number;
          start: number;
          end: number;
          speaker_label: string;
          interaction_id: string;
          text: string;
        }>;
      const resumed = await turns(crashed, id);
      const unbroken = await turns(clean, reference.recording_id);
      expect(resumed.map(({ start, end, speaker_label }) => ({ start, end, speaker_label }))).toEqual(
        unbroken.map(({ start, end, speaker_label }) => ({ start, end, speaker_label })),
      );
      expect(resumed.every((s) => s.text === 'words of this turn')).toBe(true);
      const interactions = await client.query<{ source_turn: number; n: number; id: string }>(
        `SELECT source_turn, count(*)::int AS n, min(id::text) AS id FROM interactions
         WHERE source_recording_id = $1 GROUP BY source_turn ORDER BY source_turn`,
        [id],
      );
      expect(interactions.rows.map((r) => r.n)).toEqual(resumed.map(() => 1));
      expect(interactions.rows.map((r) => r.id)).toEqual(resumed.map((s) => s.interaction_id));
      const conversations = await client.query<{ n: number }>(
        `SELECT count(DISTINCT conversation_id)::int AS n FROM interactions WHERE source_recording_id = $1`,
        [id],
      );
      expect(conversations.rows[0]!.n).toBe(1);
      process.stderr.write(
        `[crash-safety/recordings] ${resumed.length} turns; killed at stage ${afterFirst.stage} ` +
          `(${afterFirst.analysed} parts analysed) and at stage ${afterSecond.stage} ` +
          `(${afterSecond.done}/${afterSecond.total} turns done); ${String(task['attempts'])} runs\n`,
      );
    } finally {
      await client.end();
      proc.child.kill('SIGKILL');
      await proc.exited;
      await db.drop();
    }
  }, 1_200_000);
});
