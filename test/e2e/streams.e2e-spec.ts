import { DataSource } from 'typeorm';
import { AudioService } from '@mira/audio';
import { StreamArbitrationService, StreamChunkService } from '@mira/stream';
import {
  createNetwork,
  registerClient,
  registerUser,
  startTestApp,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import { librispeechTrainFiles } from '../../tooling/shared-data.js';
import { loadSpeech, micCopy, wav } from '../support/stream-audio.js';
import { waitFor } from '../support/wait.js';

/**
 * Several devices hear the same room; Mira keeps the best microphone's copy of each utterance and only that
 * copy (multi-device ingestion, best-stream arbitration, crash-safe and multi-instance state in PostgreSQL).
 */
const ENV = {
  JOBS_POLL_INTERVAL_MS: '30',
  STREAM_ARBITRATION_WINDOW_MS: '500',
  STREAM_FLOOR_HOLD_MS: '2000',
  // The holder's talk continues only while its stream is active, measured from its last utterance's capture time to
  // the decision on the server's clock: that span includes the uploads' processing, seconds at load 15.
  STREAM_INACTIVE_AFTER_MS: '15000',
  // Large margin: during continued talk the holder keeps the floor whatever the challenger scores.
  STREAM_HYSTERESIS_MARGIN: '100',
};

type Auth = { Authorization: string };

describe('streams: multi-device ingestion and best-microphone arbitration', () => {
  let t: TestApp;
  let db: DataSource;
  let speech: Float32Array[];

  beforeAll(async () => {
    t = await startTestApp(ENV);
    db = t.app.get(DataSource);
    const audio = t.app.get(AudioService);
    const files = librispeechTrainFiles();
    speech = await Promise.all([0, 1, 2, 3].map((i) => loadSpeech(audio, files[i * 7]!, 1.0, 1.6)));
  });

  afterAll(async () => {
    await t?.close();
  });

  const seconds = (samples: Float32Array) => samples.length / 16000;

  function post(
    app: TestApp,
    networkId: string,
    auth: Auth,
    streamId: string,
    samples: Float32Array,
    fields: { capturedAtMs?: number; seq?: number; key?: string; metadata?: string; timestamp?: string } = {},
  ) {
    const capturedAt = fields.capturedAtMs ?? Date.now() - Math.round(seconds(samples) * 1000);
    let req = app
      .http()
      .post(`/api/v1/${networkId}/streams/${streamId}/audio`)
      .set(auth)
      .attach('audio_data', wav(samples), { filename: 'chunk.wav', contentType: 'audio/wav' })
      .field('timestamp', fields.timestamp ?? String(capturedAt));
    if (fields.seq !== undefined) req = req.field('seq', String(fields.seq));
    if (fields.metadata !== undefined) req = req.field('metadata', fields.metadata);
    if (fields.key !== undefined) req = req.set('Idempotency-Key', fields.key);
    return req;
  }

  const chunks = async (networkId: string) =>
    (await db.query(
      `SELECT id, stream_id, status, decision_reason, audio IS NOT NULL AS has_audio
       FROM stream_chunks WHERE network_id = $1 ORDER BY created_at`,
      [networkId],
    )) as { id: string; stream_id: string; status: string; decision_reason: string; has_audio: boolean }[];

  /** Each chunk's speech figures as stored: estimated from energy at ingestion, the VAD's once judged. */
  const speechOf = async (networkId: string) =>
    Object.fromEntries(
      (
        (await db.query(`SELECT id, quality_basis, speech_ratio FROM stream_chunks WHERE network_id = $1`, [
          networkId,
        ])) as { id: string; quality_basis: string; speech_ratio: number }[]
      ).map((r) => [r.id, { basis: r.quality_basis, speechRatio: r.speech_ratio }]),
    );

  const utteranceJobs = async (networkId: string) =>
    (
      (await db.query(`SELECT payload FROM jobs WHERE network_id = $1 AND type = 'utterance.process'`, [
        networkId,
      ])) as { payload: { chunk_id: string } }[]
    ).map((r) => r.payload.chunk_id);

  const decided = (networkId: string, ids: string[]) =>
    waitFor(
      async () => {
        const rows = (await chunks(networkId)).filter((c) => ids.includes(c.id));
        return rows.length === ids.length && rows.every((r) => r.status !== 'pending') ? rows : undefined;
      },
      { what: 'arbitration decision' },
    );

  async function roomWith(clients: string[]) {
    const { session, networkId } = await userWithNetwork(t);
    const auth: Record<string, Auth> = {};
    for (const c of clients) auth[c] = await registerClient(t, session, networkId, c);
    return { session, networkId, auth };
  }

  it('ingestion answers the chunk id, its quality score with components, and the floor; the lone copy goes on', async () => {
    const { networkId, auth } = await roomWith(['kitchen']);
    const copy = micCopy(speech[0]!, { gain: 1, snrDb: 25, seed: 1 });
    const capturedAtMs = Date.now() - Math.round(seconds(copy) * 1000);
    const res = await post(t, networkId, auth.kitchen!, 'kitchen', copy, {
      metadata: '{"app":"test"}',
      seq: 0,
      capturedAtMs,
    }).expect(200);
    expect(res.body).toMatchObject({
      chunk_id: expect.any(String),
      stream_id: 'kitchen',
      client_id: 'kitchen',
      seq: 0,
      status: 'pending',
      holds_floor: false,
      replayed: false,
    });
    expect(res.body.quality_score).toBeGreaterThan(30);
    expect(Object.keys(res.body.quality).sort()).toEqual(
      [
        'basis',
        'audio_score',
        'clarity',
        'clipping_ratio',
        'location_score',
        'rms',
        'rssi_score',
        'snr_db',
        'speech_ratio',
      ].sort(),
    );
    // answered before any VAD: the speech figures are the energy estimate, and say so
    expect(res.body.quality.basis).toBe('energy');
    expect(res.body.quality.speech_ratio).toBeGreaterThan(0.3);

    const [row] = await decided(networkId, [res.body.chunk_id]);
    expect(row!.status).toBe('won');
    // the arbitration judged the lone copy with the VAD and stored the VAD's figures
    const lone = (await speechOf(networkId))[res.body.chunk_id]!;
    expect(lone.basis).toBe('vad');
    expect(lone.speechRatio).toBeGreaterThan(0.3);
    expect(await utteranceJobs(networkId)).toEqual([res.body.chunk_id]);

    const stream = await t.http().get(`/api/v1/${networkId}/streams/kitchen`).set(auth.kitchen!).expect(200);
    expect(stream.body).toMatchObject({
      stream_id: 'kitchen',
      client_id: 'kitchen',
      quality_score: res.body.quality_score,
      is_active: true,
      holds_floor: true,
      chunk_count: 1,
      last_seq: 0,
    });
    expect(stream.body.timestamp).toMatch(/Z$/);
    // a stream shows its last chunk as ingested
    expect(stream.body.quality).toMatchObject({ basis: 'energy', snr_db: res.body.quality.snr_db });

    const metrics = await t.http().get('/metrics').expect(200);
    expect(Number(/^mira_active_streams (\d+)/m.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(1);

    // The pipeline reads the winning copy's audio back (decoded, 16 kHz).
    const loaded = await t.app.get(StreamChunkService).loadChunkForProcessing(networkId, res.body.chunk_id);
    expect(loaded?.samples.length).toBe(copy.length);
    // with the VAD's quality of that audio (the utterance pipeline judges noise by its SNR), not the estimate
    const judged = await t.app.get(AudioService).assessQuality(loaded!.samples);
    expect(loaded?.quality).toEqual(judged);
    // a retry now answers with the stored, judged figures
    const retried = await post(t, networkId, auth.kitchen!, 'kitchen', copy, {
      metadata: '{"app":"test"}',
      seq: 0,
      capturedAtMs,
    }).expect(200);
    expect(retried.body).toMatchObject({ chunk_id: res.body.chunk_id, replayed: true, status: 'won' });
    expect(retried.body.quality).toMatchObject({
      basis: 'vad',
      audio_score: judged.score,
      speech_ratio: judged.speech_ratio,
      rms: res.body.quality.rms,
    });
    expect(
      await t.app
        .get(StreamChunkService)
        .loadChunkForProcessing(networkId, '00000000-0000-4000-8000-000000000000'),
    ).toBeNull();
  });

  it("the database keeps a chunk's and a stream's quality basis to energy or vad", async () => {
    const { networkId, auth } = await roomWith(['hall']);
    const res = await post(t, networkId, auth.hall!, 'hall', speech[1]!).expect(200);
    await decided(networkId, [res.body.chunk_id]);
    const setBasis = (table: 'stream_chunks' | 'streams', basis: string) =>
      db.query(`UPDATE ${table} SET quality_basis = $2 WHERE network_id = $1`, [networkId, basis]);
    for (const table of ['stream_chunks', 'streams'] as const) {
      await expect(setBasis(table, 'guess')).rejects.toMatchObject({ code: '23514' });
      for (const basis of ['vad', 'energy']) await setBasis(table, basis);
    }
  });

  it('the better copy wins and exactly one utterance.process job exists for an utterance heard by three devices with skewed clocks', async () => {
    const { networkId, auth, session } = await roomWith(['near', 'mid', 'far']);
    const base = speech[1]!;
    const durMs = Math.round(seconds(micCopy(base, { gain: 1, snrDb: 0, seed: 0 })) * 1000);
    const now = Date.now();
    const [near, mid, far] = await Promise.all([
      post(t, networkId, auth.near!, 'near', micCopy(base, { gain: 0.5, snrDb: 28, seed: 2 }), {
        capturedAtMs: now - durMs + 2500, // device clock 2.5 s fast
      }),
      post(t, networkId, auth.mid!, 'mid', micCopy(base, { gain: 1.0, snrDb: 8, seed: 3 }), {
        capturedAtMs: now - durMs - 1200, // 1.2 s slow
      }),
      post(t, networkId, auth.far!, 'far', micCopy(base, { gain: 0.3, snrDb: 0, seed: 4 }), {
        capturedAtMs: now - durMs + 40,
      }),
    ]);
    for (const r of [near, mid, far]) expect(r.status).toBe(200);
    const rows = await decided(networkId, [near.body.chunk_id, mid.body.chunk_id, far.body.chunk_id]);
    const byStream = Object.fromEntries(rows.map((r) => [r.stream_id, r]));
    expect(byStream.near!.status).toBe('won');
    expect(byStream.mid!.status).toBe('lost');
    expect(byStream.far!.status).toBe('lost');
    expect(byStream.mid!.has_audio).toBe(false);
    expect(await utteranceJobs(networkId)).toEqual([near.body.chunk_id]);

    const [decision] = (await db.query(
      `SELECT reason, candidate_count, winner_stream_id, features FROM stream_decisions WHERE network_id = $1`,
      [networkId],
    )) as {
      reason: string;
      candidate_count: number;
      winner_stream_id: string;
      features: { candidates: { chunk_id: string; speech_ratio: number; speech_judged: boolean }[] };
    }[];
    expect(decision).toMatchObject({ reason: 'best', candidate_count: 3, winner_stream_id: 'near' });
    expect(decision!.features.candidates).toHaveLength(3);
    // one VAD pass for the sound, on its best copy; the others took its speech ratio and keep their estimates
    const speechNow = await speechOf(networkId);
    const nearSpeech = speechNow[near.body.chunk_id]!;
    expect(nearSpeech.basis).toBe('vad');
    expect([mid, far].map((r) => speechNow[r.body.chunk_id]!.basis)).toEqual(['energy', 'energy']);
    const judgedCandidates = decision!.features.candidates.filter((c) => c.speech_judged);
    expect(judgedCandidates.map((c) => c.chunk_id)).toEqual([near.body.chunk_id]);
    for (const c of decision!.features.candidates) {
      expect(c.speech_ratio).toBeCloseTo(nearSpeech.speechRatio, 2);
    }

    const best = await t.http().get(`/api/v2/${networkId}/streams/best`).set(session.auth).expect(200);
    expect(best.body.best_stream).toMatchObject({ stream_id: 'near', client_id: 'near', holds_floor: true });
    const scores = await t.http().get(`/api/v1/${networkId}/streams/scores`).set(session.auth).expect(200);
    expect(scores.body.active_streams).toBe(3);
    expect(Object.keys(scores.body.stream_scores).sort()).toEqual(['far', 'mid', 'near']);
    expect(scores.body.current_best.stream_id).toBe('near');
    expect(scores.body.stream_scores.near).toBeGreaterThan(scores.body.stream_scores.far);
  });

  it('a copy that arrives after its sound was decided is a late copy: it loses, never a second utterance; silence is not forwarded', async () => {
    const { networkId, auth } = await roomWith(['early', 'late']);
    // The late device first sends a second of near-silence: its clock offset is now known, nothing is forwarded.
    const quiet = micCopy(new Float32Array(16000), { gain: 1, snrDb: 0, seed: 30, padSeconds: 0 }).map(
      (v) => v * 1e-3,
    );
    const hush = await post(t, networkId, auth.late!, 'late', quiet).expect(200);
    const [silent] = await decided(networkId, [hush.body.chunk_id]);
    expect(silent!.status).toBe('silent');
    const hushSpeech = (await speechOf(networkId))[hush.body.chunk_id]!;
    expect(hushSpeech.basis).toBe('vad');
    expect(hushSpeech.speechRatio).toBeLessThan(0.05);

    const durMs = Math.round(seconds(micCopy(speech[1]!, { gain: 1, snrDb: 0, seed: 0 })) * 1000);
    const capturedAtMs = Date.now() - durMs;
    const early = await post(
      t,
      networkId,
      auth.early!,
      'early',
      micCopy(speech[1]!, { gain: 1, snrDb: 5, seed: 31 }),
      {
        capturedAtMs,
      },
    ).expect(200);
    await decided(networkId, [early.body.chunk_id]);
    // The better copy of the same moment shows up only now (a retry after a network outage).
    const late = await post(
      t,
      networkId,
      auth.late!,
      'late',
      micCopy(speech[1]!, { gain: 1, snrDb: 30, seed: 32 }),
      {
        capturedAtMs,
      },
    ).expect(200);
    const [row] = await decided(networkId, [late.body.chunk_id]);
    expect(row).toMatchObject({ status: 'lost', decision_reason: 'late_copy', has_audio: false });
    expect(await utteranceJobs(networkId)).toEqual([early.body.chunk_id]);
  });

  it('a copy whose upload body arrives slowly is timed by when the upload arrived: still a copy of the same moment, never a second utterance', async () => {
    const { networkId, auth } = await roomWith(['prompt', 'slow']);
    const base = speech[1]!;
    const slowCopy = wav(micCopy(base, { gain: 1, snrDb: 30, seed: 41 }));
    const durMs = Math.round(seconds(micCopy(base, { gain: 1, snrDb: 0, seed: 0 })) * 1000);
    const capturedAtMs = Date.now() - durMs;
    // The slow device's request reaches the server now, its body only seconds later (longer than the chunk): the
    // server gets to the upload late, as a loaded server gets to some of a room's copies later than to others.
    const boundary = 'mira-slow-body';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="timestamp"\r\n\r\n${capturedAtMs}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="audio_data"; filename="chunk.wav"\r\n` +
        'Content-Type: audio/wav\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    let release = () => {};
    const bodyHeld = new Promise<void>((resolve) => (release = resolve));
    const slowBody = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(head));
        await bodyHeld;
        controller.enqueue(new Uint8Array(Buffer.concat([slowCopy, tail])));
        controller.close();
      },
    });
    const slowUpload = fetch(`${t.baseUrl}/api/v1/${networkId}/streams/slow/audio`, {
      method: 'POST',
      headers: { ...auth.slow!, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: slowBody,
      duplex: 'half',
    } as RequestInit);
    const prompt = await post(
      t,
      networkId,
      auth.prompt!,
      'prompt',
      micCopy(base, { gain: 1, snrDb: 10, seed: 40 }),
      {
        capturedAtMs,
      },
    ).expect(200);
    await decided(networkId, [prompt.body.chunk_id]);
    await new Promise((resolve) => setTimeout(resolve, durMs + 2000));
    release();
    const slow = await slowUpload;
    expect(slow.status).toBe(200);
    const slowId = ((await slow.json()) as { chunk_id: string }).chunk_id;
    const [row] = await decided(networkId, [slowId]);
    expect(row).toMatchObject({ status: 'lost', decision_reason: 'late_copy' });
    expect(await utteranceJobs(networkId)).toEqual([prompt.body.chunk_id]);
  });

  it('two rooms talking at once are two sounds: each room keeps its best copy, neither is dropped', async () => {
    const { networkId, auth } = await roomWith(['kitchen-1', 'kitchen-2', 'office-1', 'office-2']);
    const kitchen = speech[0]!;
    const office = speech[2]!;
    const durMs = Math.round(seconds(micCopy(kitchen, { gain: 1, snrDb: 0, seed: 0 })) * 1000);
    const now = Date.now() - durMs;
    const uploads = await Promise.all([
      post(
        t,
        networkId,
        auth['kitchen-1']!,
        'kitchen-1',
        micCopy(kitchen, { gain: 0.8, snrDb: 25, seed: 50 }),
        {
          capturedAtMs: now,
        },
      ),
      post(t, networkId, auth['kitchen-2']!, 'kitchen-2', micCopy(kitchen, { gain: 1, snrDb: 6, seed: 51 }), {
        capturedAtMs: now + 150,
      }),
      post(t, networkId, auth['office-1']!, 'office-1', micCopy(office, { gain: 0.6, snrDb: 8, seed: 52 }), {
        capturedAtMs: now - 100,
      }),
      post(t, networkId, auth['office-2']!, 'office-2', micCopy(office, { gain: 0.9, snrDb: 22, seed: 53 }), {
        capturedAtMs: now + 60,
      }),
    ]);
    for (const r of uploads) expect(r.status).toBe(200);
    const rows = await decided(
      networkId,
      uploads.map((r) => r.body.chunk_id as string),
    );
    const status = Object.fromEntries(rows.map((r) => [r.stream_id, r.status]));
    expect(status).toEqual({
      'kitchen-1': 'won',
      'kitchen-2': 'lost',
      'office-1': 'lost',
      'office-2': 'won',
    });
    const winners = [uploads[0]!.body.chunk_id, uploads[3]!.body.chunk_id].sort();
    expect((await utteranceJobs(networkId)).sort()).toEqual(winners);
    // Every decision compared copies of one room only (both rooms in one decision when they arrived together).
    const roomOf = Object.fromEntries(rows.map((r) => [r.id, r.stream_id.split('-')[0]]));
    const decisions = (await db.query(
      `SELECT winner_stream_id, features FROM stream_decisions WHERE network_id = $1 AND winner_stream_id IS NOT NULL`,
      [networkId],
    )) as { winner_stream_id: string; features: { candidates: { chunk_id: string }[] } }[];
    expect(decisions.map((d) => d.winner_stream_id).sort()).toEqual(['kitchen-1', 'office-2']);
    for (const d of decisions) {
      const rooms = new Set(d.features.candidates.map((c) => roomOf[c.chunk_id]));
      expect([...rooms]).toEqual([d.winner_stream_id.split('-')[0]]);
    }
    // each room's sound judged by the VAD on its own best copy (its winner), once
    const judged = await speechOf(networkId);
    expect(
      Object.keys(judged)
        .filter((id) => judged[id]!.basis === 'vad')
        .sort(),
    ).toEqual(winners);
  });

  it('a copy arriving after another room was decided is a different sound, not a late copy; a copy of the decided sound still is', async () => {
    // No job worker: the test runs each arbitration itself, so the forwarded copy still holds its audio (the
    // utterance pipeline uses and releases it) and every step happens in a known order.
    const manual = await startTestApp({ ...ENV, JOBS_WORKER_ENABLED: 'false' });
    try {
      const arbitration = manual.app.get(StreamArbitrationService);
      const { session, networkId } = await userWithNetwork(manual);
      const auth: Record<string, Auth> = {};
      for (const c of ['kitchen', 'office', 'hall'])
        auth[c] = await registerClient(manual, session, networkId, c);
      const quiet = micCopy(new Float32Array(16000), { gain: 1, snrDb: 0, seed: 70, padSeconds: 0 }).map(
        (v) => v * 1e-3,
      );
      // A second of near-silence from each device first: their clock offsets are known, nothing is forwarded.
      for (const device of ['kitchen', 'office', 'hall']) {
        const hush = await post(manual, networkId, auth[device]!, device, quiet).expect(200);
        await arbitration.arbitrate(networkId, hush.body.chunk_id);
      }
      const durMs = Math.round(seconds(micCopy(speech[1]!, { gain: 1, snrDb: 0, seed: 0 })) * 1000);
      const capturedAtMs = Date.now() - durMs;
      const send = (device: string, voice: Float32Array, snrDb: number, seed: number) =>
        post(manual, networkId, auth[device]!, device, micCopy(voice, { gain: 0.8, snrDb, seed }), {
          capturedAtMs,
        }).expect(200);
      const kitchen = await send('kitchen', speech[1]!, 20, 71);
      await arbitration.arbitrate(networkId, kitchen.body.chunk_id);
      const office = await send('office', speech[3]!, 20, 72); // someone else, in another room
      await arbitration.arbitrate(networkId, office.body.chunk_id);
      const hall = await send('hall', speech[1]!, 30, 73); // the kitchen's words, heard better, too late
      await arbitration.arbitrate(networkId, hall.body.chunk_id);
      const rows = (await manual.app
        .get(DataSource)
        .query(
          `SELECT stream_id, status, decision_reason FROM stream_chunks WHERE network_id = $1 AND id = ANY($2::uuid[])`,
          [networkId, [kitchen.body.chunk_id, office.body.chunk_id, hall.body.chunk_id]],
        )) as { stream_id: string; status: string; decision_reason: string }[];
      expect(Object.fromEntries(rows.map((r) => [r.stream_id, [r.status, r.decision_reason]]))).toEqual({
        kitchen: ['won', 'sole'],
        office: ['won', 'sole'],
        hall: ['lost', 'late_copy'],
      });
    } finally {
      await manual.close();
    }
  });

  it("one copy's arbitration decides the moment's other copies and settles their queued arbitration jobs in the same transaction", async () => {
    // No job worker: the first copy's job is run here and the other copies' jobs stay queued until it decides.
    const manual = await startTestApp({ ...ENV, JOBS_WORKER_ENABLED: 'false' });
    try {
      const arbitration = manual.app.get(StreamArbitrationService);
      const { session, networkId } = await userWithNetwork(manual);
      const devices = ['near', 'far', 'door'];
      const auth: Record<string, Auth> = {};
      for (const d of devices) auth[d] = await registerClient(manual, session, networkId, d);
      const capturedAtMs = Date.now() - 3000;
      // Sent together, as a room's devices do: the copies overlap once aligned.
      const answers = await Promise.all(
        devices.map((d, i) =>
          post(
            manual,
            networkId,
            auth[d]!,
            d,
            micCopy(speech[1]!, { gain: 0.8, snrDb: 25 - 8 * i, seed: 80 + i }),
            {
              capturedAtMs,
            },
          ).expect(200),
        ),
      );
      const ids = answers.map((a) => a.body.chunk_id as string);
      await arbitration.arbitrate(networkId, ids[0]!);
      const db = manual.app.get(DataSource);
      const chunks = (await db.query(
        `SELECT id, status FROM stream_chunks WHERE network_id = $1 AND id = ANY($2::uuid[])`,
        [networkId, ids],
      )) as { id: string; status: string }[];
      expect(chunks.filter((c) => c.status === 'pending')).toEqual([]);
      const jobs = (await db.query(
        `SELECT dedupe_key, status, attempts FROM jobs WHERE network_id = $1 AND type = 'stream.arbitrate'
           AND dedupe_key = ANY($2::text[]) ORDER BY dedupe_key`,
        [networkId, ids.slice(1)],
      )) as { dedupe_key: string; status: string; attempts: number }[];
      expect(jobs).toEqual(
        ids
          .slice(1)
          .sort()
          .map((id) => ({ dedupe_key: id, status: 'done', attempts: 0 })),
      );
      // The first copy's own job is still queued (it was run by hand here): when it runs it finds its chunk decided.
      await arbitration.arbitrate(networkId, ids[0]!);
      const decisions = (await db.query(
        `SELECT count(*)::int AS n FROM stream_decisions WHERE network_id = $1`,
        [networkId],
      )) as { n: number }[];
      expect(decisions[0]!.n).toBe(1);
    } finally {
      await manual.close();
    }
  });

  it('hysteresis keeps the floor with the holder while the talk continues, and the best copy wins after a pause', async () => {
    const { networkId, auth } = await roomWith(['a', 'b']);
    const sleepUntil = (at: number) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    // Each copy lasts 1.8 s and is sent when it ends, as a device does in real time. The capture times follow a
    // fixed timeline (not the moment a slow machine got round to sending), so the gaps between utterances are the
    // ones each step describes however long the uploads before took.
    const utterance = async (i: number, snrA: number, snrB: number, capturedAtMs: number) => {
      await sleepUntil(capturedAtMs + 1800);
      const [ra, rb] = await Promise.all([
        post(
          t,
          networkId,
          auth.a!,
          'a',
          micCopy(speech[i]!, { gain: 1, snrDb: snrA, seed: 10 + i, padSeconds: 0.1 }),
          { capturedAtMs },
        ),
        post(
          t,
          networkId,
          auth.b!,
          'b',
          micCopy(speech[i]!, { gain: 1, snrDb: snrB, seed: 20 + i, padSeconds: 0.1 }),
          { capturedAtMs },
        ),
      ]);
      return { ra, rb };
    };
    const outcome = async (u: Awaited<ReturnType<typeof utterance>>) => {
      const rows = await decided(networkId, [u.ra.body.chunk_id, u.rb.body.chunk_id]);
      return { a: rows.find((r) => r.stream_id === 'a')!, b: rows.find((r) => r.stream_id === 'b')! };
    };
    const startedAt = Date.now() - 1800; // the first copies end now
    const first = await utterance(0, 30, 0, startedAt);
    // The next utterance follows 0.2 s after the first one ended (continued talk, gap < STREAM_FLOOR_HOLD_MS).
    const second = await utterance(2, 0, 30, startedAt + 2000);
    expect((await outcome(first)).a.status).toBe('won');
    const continued = await outcome(second);
    expect(second.rb.body.quality_score).toBeGreaterThan(second.ra.body.quality_score);
    expect(continued.a.status).toBe('won');
    expect(continued.a.decision_reason).toBe('hysteresis');
    expect(continued.b.status).toBe('lost');
    // the sound was judged on its best-ranked copy (b's), and the copy forwarded instead (a's) on its own
    const speechNow = await speechOf(networkId);
    expect(speechNow[second.rb.body.chunk_id]!.basis).toBe('vad');
    expect(speechNow[second.ra.body.chunk_id]!.basis).toBe('vad');

    // A pause of 3 s (> STREAM_FLOOR_HOLD_MS) ends the talk: the better copy wins outright.
    const afterPause = await outcome(await utterance(3, 0, 30, startedAt + 2000 + 1800 + 3000));
    expect(afterPause.b.status).toBe('won');
    expect(afterPause.b.decision_reason).toBe('best');
    expect((await utteranceJobs(networkId)).length).toBe(3);
    // three utterances in real time, six uploads processed and three decisions (each bounded by `decided`)
  }, 180_000);

  it('a stream that stops sending goes inactive and loses the floor after STREAM_INACTIVE_AFTER_MS', async () => {
    const { networkId, auth } = await roomWith(['hall']);
    const res = await post(
      t,
      networkId,
      auth.hall!,
      'hall',
      micCopy(speech[0]!, { gain: 1, snrDb: 20, seed: 5 }),
    );
    await decided(networkId, [res.body.chunk_id]);
    const active = await t.http().get(`/api/v1/${networkId}/streams/hall`).set(auth.hall!).expect(200);
    expect(active.body.is_active).toBe(true);
    await waitFor(
      async () => {
        const r = await t.http().get(`/api/v1/${networkId}/streams/hall`).set(auth.hall!).expect(200);
        return r.body.is_active === false && r.body.holds_floor === false;
      },
      { what: 'stream inactive', timeoutMs: 60_000 },
    );
    const best = await t.http().get(`/api/v1/${networkId}/streams/best`).set(auth.hall!).expect(200);
    expect(best.body).toEqual({ best_stream: null });
    const scores = await t.http().get(`/api/v1/${networkId}/streams/scores`).set(auth.hall!).expect(200);
    expect(scores.body).toMatchObject({ active_streams: 0, stream_scores: {}, current_best: null });
    expect(scores.body.streams).toHaveLength(1);
  }, 120_000);

  it('retries with the same seq or Idempotency-Key are absorbed: same answer, one chunk, one decision job', async () => {
    const { networkId, auth } = await roomWith(['desk']);
    const copy = micCopy(speech[1]!, { gain: 1, snrDb: 20, seed: 6 });
    const capturedAtMs = Date.now() - 2000;
    const first = await post(t, networkId, auth.desk!, 'desk', copy, { capturedAtMs, seq: 5 }).expect(200);
    const again = await post(t, networkId, auth.desk!, 'desk', copy, { capturedAtMs, seq: 5 }).expect(200);
    expect(again.body.chunk_id).toBe(first.body.chunk_id);
    expect(again.body.replayed).toBe(true);
    expect(again.body.quality_score).toBe(first.body.quality_score);
    const conflict = await post(
      t,
      networkId,
      auth.desk!,
      'desk',
      micCopy(speech[2]!, { gain: 1, snrDb: 20, seed: 7 }),
      {
        capturedAtMs,
        seq: 5,
      },
    ).expect(409);
    expect(conflict.body.error_code).toBe('CHUNK_SEQ_CONFLICT');

    const keyed = await post(t, networkId, auth.desk!, 'desk', copy, {
      capturedAtMs: capturedAtMs + 3000,
      key: 'k-1',
    });
    const keyedAgain = await Promise.all([
      post(t, networkId, auth.desk!, 'desk', copy, { capturedAtMs: capturedAtMs + 3000, key: 'k-1' }),
      post(t, networkId, auth.desk!, 'desk', copy, { capturedAtMs: capturedAtMs + 3000, key: 'k-1' }),
    ]);
    for (const r of keyedAgain) {
      expect(r.status).toBe(200);
      expect(r.body.chunk_id).toBe(keyed.body.chunk_id);
    }
    const reused = await post(t, networkId, auth.desk!, 'desk', copy, {
      capturedAtMs: capturedAtMs + 9000,
      key: 'k-1',
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error_code).toBe('IDEMPOTENCY_KEY_REUSED');

    expect(await chunks(networkId)).toHaveLength(2);
    const [jobs] = (await db.query(
      `SELECT count(*)::int AS n FROM jobs WHERE network_id = $1 AND type = 'stream.arbitrate'`,
      [networkId],
    )) as { n: number }[];
    expect(jobs!.n).toBe(2);
  });

  it('phone location and RSSI change the named client stream score; unknown clients are 404', async () => {
    const { networkId, auth, session } = await roomWith(['den', 'phone']);
    await post(t, networkId, auth.den!, 'den', micCopy(speech[0]!, { gain: 1, snrDb: 20, seed: 8 })).expect(
      200,
    );
    const before = (await t.http().get(`/api/v1/${networkId}/streams/den`).set(session.auth).expect(200))
      .body;
    expect(before.quality.location_score).toBe(100);

    const loc = await t
      .http()
      .post(`/api/v1/${networkId}/streams/phone/location`)
      .set(auth.phone!)
      .send({ client_id: 'den', location: { latitude: 37.7749, longitude: -122.4194, accuracy: 500 } })
      .expect(200);
    expect(loc.body).toMatchObject({
      message: 'Phone location updated successfully for den',
      location: { latitude: 37.7749, longitude: -122.4194, accuracy: 500 },
      location_score: 50,
    });
    const rssi = await t
      .http()
      .post(`/api/v1/${networkId}/streams/phone/rssi`)
      .set(auth.phone!)
      .send({ phone_client_id: 'phone', target_client_id: 'den', rssi: -75 })
      .expect(200);
    expect(rssi.body).toMatchObject({
      message: 'RSSI updated successfully from phone to den',
      rssi: -75,
      rssi_score: 25,
    });

    const after = (await t.http().get(`/api/v1/${networkId}/streams/den`).set(session.auth).expect(200)).body;
    expect(after.quality).toMatchObject({ location_score: 50, rssi_score: 25 });
    expect(after.quality_score).toBeCloseTo(before.quality_score - 0.15 * 50 - 0.15 * 75, 3);
    expect(after.location).toMatchObject({ latitude: 37.7749, accuracy: 500 });
    expect(after.rssi).toMatchObject({ rssi: -75, phone_client_id: 'phone' });

    const unknown = await t
      .http()
      .post(`/api/v1/${networkId}/streams/phone/location`)
      .set(session.auth)
      .send({ client_id: 'ghost', location: { latitude: 1, longitude: 2 } })
      .expect(404);
    expect(unknown.body.detail).toBe('Client ghost not found');
    await t
      .http()
      .post(`/api/v1/${networkId}/streams/phone/rssi`)
      .set(session.auth)
      .send({ phone_client_id: 'phone', target_client_id: 'ghost', rssi: -50 })
      .expect(404);
    const bad = await t
      .http()
      .post(`/api/v1/${networkId}/streams/phone/location`)
      .set(session.auth)
      .send({ location: { latitude: 91, longitude: 2 } })
      .expect(422);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'client_id',
      'location.latitude',
    ]);
    await t
      .http()
      .post(`/api/v1/${networkId}/streams/phone/rssi`)
      .set(session.auth)
      .send({ phone_client_id: 'phone', target_client_id: 'den', rssi: 12 })
      .expect(422);
  });

  it('refuses bad input with clear 4xx: timestamp, metadata, missing audio, unknown stream, foreign network, user token, disabled service', async () => {
    const { networkId, auth, session } = await roomWith(['box']);
    const copy = micCopy(speech[0]!, { gain: 1, snrDb: 20, seed: 9 });
    const badTs = await post(t, networkId, auth.box!, 'box', copy, { timestamp: 'yesterday' }).expect(422);
    expect(badTs.body.fields[0].field).toBe('timestamp');
    const badMeta = await post(t, networkId, auth.box!, 'box', copy, { metadata: '{oops' }).expect(422);
    expect(badMeta.body.fields[0].field).toBe('metadata');
    const missing = await t
      .http()
      .post(`/api/v1/${networkId}/streams/box/audio`)
      .set(auth.box!)
      .field('timestamp', String(Date.now()))
      .expect(422);
    expect(missing.body.fields[0].field).toBe('audio_data');
    await post(t, networkId, auth.box!, 'best', copy).expect(422);
    const junk = await t
      .http()
      .post(`/api/v1/${networkId}/streams/box/audio`)
      .set(auth.box!)
      .attach('audio_data', Buffer.from('definitely not audio!'), 'x.bin')
      .field('timestamp', String(Date.now()))
      .expect((r) => expect([415, 422]).toContain(r.status));
    expect(junk.body.error_code).toMatch(/^AUDIO_/);

    const unknown = await t.http().get(`/api/v1/${networkId}/streams/nowhere`).set(session.auth).expect(404);
    expect(unknown.body.error_code).toBe('STREAM_NOT_FOUND');

    const userPost = await post(t, networkId, session.auth, 'box', copy).expect(403);
    expect(userPost.body.error_code).toBe('CLIENT_TOKEN_REQUIRED');

    // Another tenant: its user and its device both get 404 on this network.
    const other = await registerUser(t);
    const otherNetwork = await createNetwork(t, other, 'Elsewhere');
    const otherDevice = await registerClient(t, other, otherNetwork, 'box');
    await post(t, networkId, otherDevice, 'box', copy).expect(404);
    await t.http().get(`/api/v1/${networkId}/streams/scores`).set(other.auth).expect(404);
    await t.http().get(`/api/v1/${networkId}/streams/box`).set(otherDevice).expect(404);
    await t.http().get(`/api/v1/not-a-uuid/streams/best`).set(other.auth).expect(422);

    await t.http().patch(`/api/v1/${networkId}/service/disable`).set(session.auth).expect(200);
    const disabled = await post(t, networkId, auth.box!, 'box', copy).expect(503);
    expect(disabled.body.error_code).toBe('SERVICE_DISABLED');
    expect(disabled.headers['retry-after']).toBe('30');
    await t.http().patch(`/api/v1/${networkId}/service/enable`).set(session.auth).expect(200);
    await post(t, networkId, auth.box!, 'box', copy).expect(200);
  });

  it('two API instances on one database arbitrate one network consistently (devices split between them)', async () => {
    const second = await startTestApp(ENV, { database: t.database });
    try {
      const { networkId, auth } = await roomWith(['left', 'right', 'centre']);
      const winners: string[] = [];
      for (let i = 0; i < 3; i++) {
        // Alternate which device is the clean one; each instance receives some of the copies.
        const clean = ['left', 'right', 'centre'][i]!;
        const target = (c: string) => (c === 'left' ? t : c === 'right' ? second : i % 2 === 0 ? t : second);
        const responses = await Promise.all(
          ['left', 'right', 'centre'].map((c, k) =>
            post(
              target(c),
              networkId,
              auth[c]!,
              c,
              micCopy(speech[i]!, { gain: 0.8, snrDb: c === clean ? 30 : 3, seed: 40 + i * 3 + k }),
            ),
          ),
        );
        for (const r of responses) expect(r.status).toBe(200);
        const rows = await decided(
          networkId,
          responses.map((r) => r.body.chunk_id),
        );
        const won = rows.filter((r) => r.status === 'won');
        expect(won).toHaveLength(1);
        expect(won[0]!.stream_id).toBe(clean);
        winners.push(won[0]!.id);
        if (i < 2) await new Promise((resolve) => setTimeout(resolve, 4500)); // next utterance after a pause
      }
      expect((await utteranceJobs(networkId)).sort()).toEqual([...winners].sort());
      // Both instances answer the same state.
      const a = await t.http().get(`/api/v1/${networkId}/streams/best`).set(auth.left!).expect(200);
      const b = await second.http().get(`/api/v1/${networkId}/streams/best`).set(auth.left!).expect(200);
      expect(a.body).toEqual(b.body);
      expect(a.body.best_stream.stream_id).toBe('centre');
    } finally {
      await second.close();
    }
  });
});
