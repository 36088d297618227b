import { DataSource } from 'typeorm';
import { defineJobKind, JobName, JobQueue, PermanentJobError } from '@mira/jobs';
import { startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { waitFor } from '../support/wait.js';

/** Job kinds of this suite only: the queue's mechanics without the product's handlers. */
const TestCount = defineJobKind<{ key: string }>('test.count', { key: 'string' });
const TestPermanent = defineJobKind<Record<string, never>>('test.permanent', {});
const TestSplit = defineJobKind<{ n: number }>('test.split', { n: 'number' });
const TestHeavy = defineJobKind<{ n: number }>('test.heavy', { n: 'number' });
const TestLong = defineJobKind<{ key: string }>('test.long', { key: 'string' });
const TestDue = defineJobKind<{ key: string }>('test.due', { key: 'string' });
/** No handler anywhere: its jobs stay queued until the test finishes them by hand. */
const TestUnhandled = defineJobKind<Record<string, never>>('test.unhandled', {});

/** Crash-safe, asynchronous processing — the PostgreSQL job queue behind the audio pipeline. */
describe('job queue (real PostgreSQL)', () => {
  let t: TestApp;
  let queue: JobQueue;
  let networkId: string;
  const runs = new Map<string, number>();
  const failuresLeft = new Map<string, number>();

  const jobRow = async (app: TestApp, id: string) =>
    (
      (await app.app
        .get(DataSource)
        .query('SELECT status, attempts, last_error FROM jobs WHERE id = $1', [id])) as {
        status: string;
        attempts: number;
        last_error: string | null;
      }[]
    )[0];

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_INTERVAL_MS: '20', JOBS_CONCURRENCY: '4' });
    queue = t.app.get(JobQueue);
    networkId = (await userWithNetwork(t)).networkId;
    queue.register(TestCount, async (job) => {
      const key = job.payload.key;
      runs.set(key, (runs.get(key) ?? 0) + 1);
      const left = failuresLeft.get(key) ?? 0;
      if (left > 0) {
        failuresLeft.set(key, left - 1);
        throw new Error('transient failure');
      }
    });
    queue.register(TestPermanent, async () => {
      throw new PermanentJobError('input can never succeed');
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('runs an enqueued job once and absorbs a duplicate with the same dedupe key', async () => {
    const id = await queue.enqueue(TestCount, { networkId, payload: { key: 'once' }, dedupeKey: 'chunk-1' });
    const duplicate = await queue.enqueue(TestCount, {
      networkId,
      payload: { key: 'once' },
      dedupeKey: 'chunk-1',
    });
    expect(id).toEqual(expect.any(String));
    expect(duplicate).toBeNull();
    await waitFor(async () => (await jobRow(t, id as string))?.status === 'done', { what: 'job done' });
    expect(runs.get('once')).toBe(1);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    failuresLeft.set('flaky', 1);
    const id = (await queue.enqueue(TestCount, { networkId, payload: { key: 'flaky' } })) as string;
    const row = await waitFor(async () => {
      const r = await jobRow(t, id);
      return r?.status === 'done' ? r : undefined;
    });
    expect(row.attempts).toBe(2);
    expect(runs.get('flaky')).toBe(2);
  });

  it('gives up after max attempts, and at once on a permanent error, keeping the error', async () => {
    failuresLeft.set('doomed', 99);
    const doomed = (await queue.enqueue(TestCount, {
      networkId,
      payload: { key: 'doomed' },
      maxAttempts: 1,
    })) as string;
    const permanent = (await queue.enqueue(TestPermanent, { networkId, payload: {} })) as string;
    const a = await waitFor(async () =>
      (await jobRow(t, doomed))?.status === 'failed' ? jobRow(t, doomed) : undefined,
    );
    const b = await waitFor(async () =>
      (await jobRow(t, permanent))?.status === 'failed' ? jobRow(t, permanent) : undefined,
    );
    expect(a?.last_error).toBe('transient failure');
    expect(b?.attempts).toBe(1);
    expect(b?.last_error).toBe('input can never succeed');
  });

  it('resumes a job whose worker died mid-run (expired lease)', async () => {
    const [row] = (await t.app.get(DataSource).query(
      `INSERT INTO jobs (network_id, type, payload, status, attempts, locked_until)
       VALUES ($1, 'test.count', '{"key":"orphan"}', 'running', 1, now() - interval '1 second') RETURNING id`,
      [networkId],
    )) as { id: string }[];
    await waitFor(async () => (await jobRow(t, row!.id))?.status === 'done', { what: 'orphan resumed' });
    expect(runs.get('orphan')).toBe(1);
  });

  it('two instances on one database run every job exactly once', async () => {
    const second = await startTestApp(
      { JOBS_POLL_INTERVAL_MS: '20', JOBS_CONCURRENCY: '4' },
      { database: t.database },
    );
    const perInstance = { first: 0, second: 0 };
    const seen = new Map<string, number>();
    const handler = (instance: 'first' | 'second') => async (job: { payload: { n: number } }) => {
      perInstance[instance] += 1;
      const key = String(job.payload.n);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    queue.register(TestSplit, handler('first'));
    second.app.get(JobQueue).register(TestSplit, handler('second'));
    try {
      for (let n = 0; n < 60; n++) await queue.enqueue(TestSplit, { networkId, payload: { n } });
      await waitFor(() => seen.size === 60 || undefined, { what: 'all split jobs', timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
      expect(perInstance.first + perInstance.second).toBe(60);
    } finally {
      await second.close();
    }
  });

  it('a job enqueued while active exists once across instances until it finishes, then can be asked for again; a running job hands its key to its continuation', async () => {
    const second = await startTestApp({ JOBS_WORKER_ENABLED: 'false' }, { database: t.database });
    const db = t.app.get(DataSource);
    const holders = async () =>
      (await db.query(
        `SELECT id, status FROM jobs WHERE network_id = $1 AND type = 'test.unhandled' AND dedupe_key = 'once-per-network'`,
        [networkId],
      )) as { id: string; status: string }[];
    const job = { networkId, payload: {}, dedupeKey: 'once-per-network' };
    try {
      // both instances at once, several times each: one job
      const ids = await Promise.all(
        [queue, second.app.get(JobQueue), queue, second.app.get(JobQueue)].map((q) =>
          q.enqueueWhileActive(TestUnhandled, job),
        ),
      );
      const [first] = ids.filter((id) => id !== null);
      expect(ids.filter((id) => id !== null)).toHaveLength(1);
      expect(await holders()).toEqual([{ id: first, status: 'queued' }]);

      // a running job keeps its key; handed over, its continuation holds it
      await db.query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [first]);
      expect(await queue.enqueueWhileActive(TestUnhandled, job)).toBeNull();
      const continuation = await queue.enqueueWhileActive(TestUnhandled, job, {
        id: first,
      } as Parameters<JobQueue['enqueueWhileActive']>[2]);
      expect(continuation).toEqual(expect.any(String));
      expect(await holders()).toEqual([{ id: continuation, status: 'queued' }]);

      // finished (done, failed or cancelled), it no longer holds the key
      await db.query(`UPDATE jobs SET status = 'failed' WHERE id = $1`, [continuation]);
      const again = await second.app.get(JobQueue).enqueueWhileActive(TestUnhandled, job);
      expect(again).toEqual(expect.any(String));
      expect(await holders()).toEqual([{ id: again, status: 'queued' }]);
    } finally {
      await db.query(`UPDATE jobs SET status = 'done' WHERE network_id = $1 AND type = 'test.unhandled'`, [
        networkId,
      ]);
      await second.close();
    }
  });

  it('a delayed job runs when it falls due, not at the next poll (a minute away)', async () => {
    const slow = await startTestApp(
      { JOBS_POLL_INTERVAL_MS: '60000', JOBS_CONCURRENCY: '4' },
      { database: t.database },
    );
    const ran: string[] = [];
    const slowQueue = slow.app.get(JobQueue);
    slowQueue.register(TestDue, async (job) => void ran.push(job.payload.key));
    try {
      const id = (await slowQueue.enqueue(TestDue, {
        networkId,
        payload: { key: 'due' },
        runAt: new Date(Date.now() + 300),
      })) as string;
      // wait well under the poll interval: only the wake-up at the due time can have run it
      await waitFor(async () => (await jobRow(slow, id))?.status === 'done', {
        what: 'the delayed job done',
        timeoutMs: 40_000,
      });
      expect(ran).toEqual(['due']);
    } finally {
      await slow.close();
    }
  });

  it('a per-type concurrency cap keeps long jobs from taking every slot; other types still run beside them', async () => {
    let running = 0;
    let maxRunning = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    queue.register(
      TestHeavy,
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await gate;
        running -= 1;
      },
      { concurrency: 1 },
    );
    const heavy = [];
    for (let n = 0; n < 3; n++)
      heavy.push((await queue.enqueue(TestHeavy, { networkId, payload: { n } })) as string);
    await waitFor(() => running === 1 || undefined, { what: 'first heavy job running' });
    // with JOBS_CONCURRENCY 4 and one heavy job running, a light job is not stuck behind the other heavy ones
    const light = (await queue.enqueue(TestCount, { networkId, payload: { key: 'beside-heavy' } })) as string;
    await waitFor(async () => (await jobRow(t, light))?.status === 'done', { what: 'light job done' });
    expect(
      (await Promise.all(heavy.map((id) => jobRow(t, id)))).filter((r) => r?.status === 'running'),
    ).toHaveLength(1);
    release();
    for (const id of heavy)
      await waitFor(async () => (await jobRow(t, id))?.status === 'done', { what: 'heavy done' });
    expect(maxRunning).toBe(1);
  });

  it('every job of the catalogue has exactly one handler in the application', () => {
    const handled = queue.handledNames();
    for (const name of Object.values(JobName)) expect(handled.filter((h) => h === name)).toEqual([name]);
  });

  it('a job whose stored payload is damaged fails at once with the reason, and the worker goes on', async () => {
    const insert = async (type: string, payload: string) =>
      (
        (await t.app
          .get(DataSource)
          .query(`INSERT INTO jobs (network_id, type, payload) VALUES ($1, $2, $3::jsonb) RETURNING id`, [
            networkId,
            type,
            payload,
          ])) as { id: string }[]
      )[0]!.id;
    const notUuid = await insert(JobName.ConversationCloseIdle, '{"conversation_id":"not-a-uuid"}');
    const missing = await insert(JobName.InteractionInfer, '{}');
    const notObject = await insert('test.count', '[1,2]');
    const after = (await queue.enqueue(TestCount, {
      networkId,
      payload: { key: 'after-damaged' },
    })) as string;
    const failed = async (id: string) =>
      waitFor(async () => ((await jobRow(t, id))?.status === 'failed' ? jobRow(t, id) : undefined), {
        what: 'damaged job failed',
      });
    expect(await failed(notUuid)).toMatchObject({
      attempts: 1,
      last_error: 'Invalid payload for job conversation.close_idle: conversation_id must be a UUID',
    });
    expect(await failed(missing)).toMatchObject({
      attempts: 1,
      last_error: 'Invalid payload for job interaction.infer: interaction_id must be a UUID',
    });
    expect((await failed(notObject))?.last_error).toBe('Invalid payload for job test.count: not an object');
    await waitFor(async () => (await jobRow(t, after))?.status === 'done', { what: 'next job done' });
  });

  it('a long job reports progress and keeps its lease at checkpoints; cancelled, it stops at the next one and stays cancelled', async () => {
    const steps = new Map<string, number>();
    const stopped: string[] = [];
    // one gate per job and step, made by whichever side asks first: the test opens it, the handler waits on it
    const gates = new Map<string, { open: () => void; opened: Promise<void> }>();
    const gate = (key: string, step: number) => {
      const name = `${key}#${step}`;
      if (!gates.has(name)) {
        let open!: () => void;
        const opened = new Promise<void>((resolve) => (open = resolve));
        gates.set(name, { open, opened });
      }
      return gates.get(name)!;
    };
    queue.register(TestLong, async (job) => {
      try {
        for (let step = 1; step <= 4; step++) {
          await gate(job.payload.key, step).opened;
          steps.set(job.payload.key, step);
          await job.checkpoint(step / 4);
        }
      } catch (err) {
        stopped.push((err as Error).name);
        throw err;
      }
    });
    const db = t.app.get(DataSource);
    const progressOf = async (id: string) =>
      (
        (await db.query('SELECT status, progress FROM jobs WHERE id = $1', [id])) as {
          status: string;
          progress: number | null;
        }[]
      )[0]!;

    const done = (await queue.enqueue(TestLong, { networkId, payload: { key: 'done' } })) as string;
    for (let step = 1; step <= 4; step++) gate('done', step).open();
    await waitFor(async () => (await progressOf(done)).status === 'done', { what: 'long job done' });
    expect(await progressOf(done)).toEqual({ status: 'done', progress: 1 });

    const cancelled = (await queue.enqueue(TestLong, { networkId, payload: { key: 'cancelled' } })) as string;
    gate('cancelled', 1).open();
    await waitFor(async () => (await progressOf(cancelled)).progress === 0.25 || undefined, {
      what: 'first checkpoint',
    });
    expect(await queue.cancel(networkId, cancelled)).toBe(true);
    gate('cancelled', 2).open();
    await waitFor(() => stopped.length === 1 || undefined, { what: 'the run stopped' });
    expect(stopped).toEqual(['JobStopped']);
    expect(steps.get('cancelled')).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await progressOf(cancelled)).toEqual({ status: 'cancelled', progress: 0.25 });
    // finished jobs cannot be cancelled, and a job of another network is not found
    expect(await queue.cancel(networkId, done)).toBe(false);
    const other = (await userWithNetwork(t)).networkId;
    const queued = (await queue.enqueue(TestCount, {
      networkId,
      payload: { key: 'later' },
      runAt: new Date(Date.now() + 3_600_000),
    })) as string;
    expect(await queue.cancel(other, queued)).toBe(false);
    expect(await queue.cancel(networkId, queued)).toBe(true);
    expect((await jobRow(t, queued))?.status).toBe('cancelled');
  });
});
