import { DataSource } from 'typeorm';
import { createTestDatabase } from '../support/database.js';
import { registerClient, startTestApp, TestApp, userWithNetwork, Session } from '../support/app.js';
import {
  FakeGemini,
  FakeGeminiReply,
  geminiJson,
  geminiMalformedBody,
  geminiRequestKind,
  geminiStatus,
  geminiText,
} from '../support/fake-gemini.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { readAudio, streamUtterance } from '../support/speech.js';
import type { InteractionRow } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

/**
 * Crash-safe and asynchronous — Gemini behind a local fake at the wire (real SDK): 429, 500, malformed
 * JSON and answers slower than the timeout never crash the server or lose the utterance; a restarted instance
 * finishes the work exactly once.
 */
describe('pipeline with Gemini at the wire', () => {
  let fake: FakeGemini;
  const transcriptions: FakeGeminiReply[] = [];
  const actions: FakeGeminiReply[] = [];

  beforeAll(async () => {
    fake = await FakeGemini.start();
    fake.respondWith((request) => {
      const kind = geminiRequestKind(request);
      if (kind === 'transcription') return transcriptions.shift() ?? geminiStatus(500);
      if (kind === 'actions') return actions.shift() ?? geminiJson({ call_to_action: false });
      if (kind === 'memories') return geminiJson({ memories: [] });
      return geminiJson({ topic_summary: 'Calling mom', context_summary: 'Someone plans to call mom.' });
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  // The timeout must hold a prompt answer on a loaded machine (the SDK's request and the fake's answer can take
  // seconds at load 15), and the too-slow answer must come far later than it, so a slow machine never turns a prompt
  // answer into a timeout (one attempt more) nor lets the slow one arrive in time.
  const GEMINI_TIMEOUT_MS = 5_000;
  const env = (extra: Record<string, string> = {}) =>
    fake.env({
      TRANSCRIBER: 'gemini',
      POCKETSPHINX_COMMAND: '/nonexistent/pocketsphinx',
      GEMINI_TIMEOUT_MS: String(GEMINI_TIMEOUT_MS),
      JOBS_POLL_INTERVAL_MS: '50',
      STREAM_ARBITRATION_WINDOW_MS: '100',
      ...extra,
    });

  async function setup(t: TestApp) {
    const { session, networkId } = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'hall');
    return { session, networkId, device };
  }

  const row = async (t: TestApp, session: Session, networkId: string, chunkId: string) => {
    const res = await t.http().get(`/api/v2/${networkId}/interactions?limit=100`).set(session.auth);
    return (res.body.items as InteractionRow[]).find((i) => i.source_chunk_id === chunkId);
  };

  it('survives 429, 500, a malformed body and a too-slow answer, then transcribes and extracts the action', async () => {
    const t = await startTestApp(env());
    try {
      const { session, networkId, device } = await setup(t);
      const patched = await t
        .http()
        .patch(`/api/v1/networks/${networkId}`)
        .set(session.auth)
        .send({ settings: { inference_enabled: true } })
        .expect(200);
      expect(patched.body.settings).toEqual({ inference_enabled: true });
      transcriptions.push(
        geminiStatus(429),
        geminiStatus(500),
        geminiMalformedBody(),
        geminiText('too late', GEMINI_TIMEOUT_MS * 12),
        geminiText('Remind me to call mom tomorrow at 3pm.'),
      );
      actions.push(
        geminiJson({
          call_to_action: true,
          action_type: 'remind',
          remind: { time: '2026-11-23T15:00:00', description: 'call mom' },
        }),
      );
      const chunkId = await streamUtterance(
        t,
        device,
        networkId,
        'hall',
        readAudio(librispeechDevFiles('533')[0]!),
        new Date(),
      );

      // While Gemini fails, the utterance is already an interaction with a clear, pending status.
      const pending = await waitFor(
        async () => {
          const r = await row(t, session, networkId, chunkId);
          return r && fake.requests.length >= 1 ? r : undefined;
        },
        { timeoutMs: 90_000, what: 'the pending interaction' },
      );
      expect(pending).toMatchObject({
        processing_status: 'processing',
        transcription_status: 'pending',
        content: null,
      });

      const done = await waitFor(
        async () => {
          const r = await row(t, session, networkId, chunkId);
          return r?.processing_status === 'done' ? r : undefined;
        },
        { timeoutMs: 180_000, what: 'transcribed after retries' },
      );
      expect(done).toMatchObject({
        transcription_status: 'transcribed',
        content: 'Remind me to call mom tomorrow at 3pm.',
      });
      expect(done.metadata.transcription).toEqual({ engine: 'gemini' });
      // the job is marked done just after the handler returns
      const job = await waitFor(async () => {
        const rows = (await t.app
          .get(DataSource)
          .query(`SELECT attempts, status FROM jobs WHERE type = 'utterance.process' AND dedupe_key = $1`, [
            chunkId,
          ])) as { attempts: number; status: string }[];
        return rows[0]?.status === 'done' ? rows[0] : undefined;
      });
      expect(job).toEqual({ attempts: 5, status: 'done' });

      const action = await waitFor(
        async () => {
          const res = await t.http().get(`/api/v1/${networkId}/actions`).set(session.auth);
          return res.body.length > 0 ? res.body[0] : undefined;
        },
        { timeoutMs: 90_000, what: 'the extracted action' },
      );
      expect(action).toMatchObject({
        interaction_id: done.id,
        action_type: 'remind',
        status: 'pending',
        source: 'gemini',
        details: { time: '2026-11-23T15:00:00', description: 'call mom' },
        scheduled_time: '2026-11-23T15:00:00.000Z',
      });
      const count = (await t.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM interactions WHERE source_chunk_id = $1', [chunkId])) as {
        n: number;
      }[];
      expect(count[0]!.n).toBe(1);
    } finally {
      await t.close();
    }
  }, 420_000);

  it('when Gemini never recovers, the last attempt stores the utterance as untranscribed, never invented text', async () => {
    const t = await startTestApp(env());
    try {
      const { session, networkId, device } = await setup(t);
      transcriptions.length = 0; // every transcription request answers 500
      const chunkId = await streamUtterance(
        t,
        device,
        networkId,
        'hall',
        readAudio(librispeechDevFiles('533')[1]!),
        new Date(),
      );
      const done = await waitFor(
        async () => {
          const r = await row(t, session, networkId, chunkId);
          return r?.processing_status === 'done' ? r : undefined;
        },
        { timeoutMs: 180_000, what: 'final fallback' },
      );
      expect(done).toMatchObject({ transcription_status: 'untranscribed', content: null });
      expect(done.metadata.transcription).toEqual({ engine: 'none', reason: 'gemini_failed' });
    } finally {
      await t.close();
    }
  }, 420_000);

  it('an instance stopped mid-processing is resumed by another on the same database, exactly once', async () => {
    const database = await createTestDatabase(); // shared by both instances; neither drops it on close
    const first = await startTestApp(env({ GEMINI_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '0' }), {
      database,
    });
    let second: TestApp | undefined;
    try {
      const { session, networkId, device } = await setup(first);
      transcriptions.length = 0;
      transcriptions.push(geminiText('never arrives in time', 120_000), geminiText('Good morning everyone.'));
      const chunkId = await streamUtterance(
        first,
        device,
        networkId,
        'hall',
        readAudio(librispeechDevFiles('533')[2]!),
        new Date(),
      );
      // The first instance is inside the transcription call (interaction recorded, text pending) …
      await waitFor(
        async () => {
          const r = await row(first, session, networkId, chunkId);
          return r?.transcription_status === 'pending' &&
            fake.requests.some((q) => geminiRequestKind(q) === 'transcription')
            ? r
            : undefined;
        },
        { timeoutMs: 90_000, what: 'the first instance inside the transcription call' },
      );
      // … and stops (as on a deploy or a crash): its job stays claimed until the lease expires.
      await first.close();
      // Time passes: the dead worker's lease (JOBS_LEASE_MS, 2 minutes by default) runs out.
      const expired =
        (await first.app
          .get(DataSource)
          .query('SELECT 1')
          .catch(() => null)) === null;
      expect(expired).toBe(true); // the first instance really is gone (its pool is closed)
      second = await startTestApp(env(), { database });
      await second.app
        .get(DataSource)
        .query(
          `UPDATE jobs SET locked_until = now() - interval '1 second' WHERE type = 'utterance.process' AND dedupe_key = $1 AND status = 'running'`,
          [chunkId],
        );
      const done = await waitFor(
        async () => {
          const r = await row(second!, session, networkId, chunkId);
          return r?.processing_status === 'done' ? r : undefined;
        },
        { timeoutMs: 180_000, what: 'resumed by the second instance' },
      );
      expect(done).toMatchObject({ transcription_status: 'transcribed', content: 'Good morning everyone.' });
      const db = second.app.get(DataSource);
      const interactions = (await db.query(
        'SELECT count(*)::int AS n FROM interactions WHERE source_chunk_id = $1',
        [chunkId],
      )) as { n: number }[];
      expect(interactions[0]!.n).toBe(1);
      const job = await waitFor(async () => {
        const rows = (await db.query(
          `SELECT attempts, status FROM jobs WHERE type = 'utterance.process' AND dedupe_key = $1`,
          [chunkId],
        )) as { attempts: number; status: string }[];
        return rows[0]?.status === 'done' ? rows : undefined;
      });
      // At least the first instance's claim and the second's (a loaded machine may add a retry); done once.
      expect(job[0]!.status).toBe('done');
      expect(job[0]!.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await first.close().catch(() => undefined);
      if (second) await second.close();
      await database.drop();
    }
  }, 420_000);
});
