import { DataSource } from 'typeorm';
import { AudioService } from '@mira/audio';
import { registerClient, registerUser, Session, startTestApp, TestApp } from '../support/app.js';
import { librispeechTrainFiles } from '../../tooling/shared-data.js';
import { loadSpeech, micCopy, wav } from '../support/stream-audio.js';
import { waitFor } from '../support/wait.js';

/**
 * What a person says near the apps reaches Mira once. POST /interactions/register takes one client-VAD
 * segment per device; segments of the same words from several devices of one account go through the stream
 * arbitration and become ONE interaction (never two, never none), and 204 means the audio and its job are stored.
 * Segments last 6.6 s (the apps send up to 10 s): copies are matched on the server's clock, and on a loaded machine
 * requests wait in line for a second or two before their arrival time is taken. Recorded speech can be sent faster
 * than it is spoken; a device cannot: before one device's next words the test lets their duration pass
 * (`spokenAfter`), so the timeline is one a room could produce.
 */
describe('app segments: POST /interactions/register through arbitration and the pipeline', () => {
  let t: TestApp;
  let db: DataSource;
  let speech: Float32Array[];

  beforeAll(async () => {
    t = await startTestApp({ TRANSCRIBER: 'none', JOBS_POLL_INTERVAL_MS: '30' });
    db = t.app.get(DataSource);
    const audio = t.app.get(AudioService);
    const files = librispeechTrainFiles();
    speech = await Promise.all([0, 1, 2].map((i) => loadSpeech(audio, files[i * 5 + 2]!, 1.0, 6.0)));
  }, 180_000); // a whole app on a busy machine

  afterAll(async () => t.close());

  type Timing = { startMs?: number; endMs?: number };
  const upload = (
    auth: Record<string, string>,
    clientId: string,
    samples: Float32Array,
    timing: Timing = {},
    v: 1 | 2 = 1,
  ) => {
    let req = t
      .http()
      .post(`/api/v${v}/interactions/register`)
      .set(auth)
      .attach('audio', wav(samples), { filename: 'audio.wav', contentType: 'audio/wav' })
      .field('client_id', clientId);
    if (timing.startMs !== undefined) req = req.field('chunk_start_ms', String(timing.startMs));
    if (timing.endMs !== undefined) req = req.field('chunk_end_ms', String(timing.endMs));
    return req;
  };

  /** The segments' length in ms (speech and the 0.3 s of room noise micCopy keeps either side). */
  const segmentMs = () => Math.round((speech[0]!.length / 16000 + 0.6) * 1000);
  /** Words that start after `ms` ended on the server's clock: wait until they could have been spoken. */
  const spokenAfter = (ms: number, durationMs: number) =>
    waitFor(() => Date.now() >= ms + durationMs, { timeoutMs: durationMs + 1000, what: 'the words spoken' });

  const networkOf = async (session: Session) =>
    (await t.http().get('/api/v1/networks').set(session.auth).expect(200)).body[0].id as string;

  const chunks = async (networkId: string) =>
    (await db.query(
      `SELECT id, stream_id, client_id, status, metadata, quality_basis
         FROM stream_chunks WHERE network_id = $1 ORDER BY created_at`,
      [networkId],
    )) as {
      id: string;
      stream_id: string;
      client_id: string;
      status: string;
      metadata: Record<string, unknown>;
      quality_basis: string;
    }[];

  /** Every chunk decided and no job left to run: what the account will ever get from these uploads is there. */
  const settled = (networkId: string) =>
    waitFor(
      async () => {
        const rows = await chunks(networkId);
        const [busy] = (await db.query(
          `SELECT count(*)::int AS n FROM jobs WHERE network_id = $1 AND status IN ('queued', 'running')
             AND type IN ('stream.arbitrate', 'utterance.process')`,
          [networkId],
        )) as { n: number }[];
        return rows.length > 0 && rows.every((r) => r.status !== 'pending') && busy!.n === 0
          ? rows
          : undefined;
      },
      { timeoutMs: 120_000, what: 'segments decided and processed' },
    );

  const interactionsOf = async (session: Session) =>
    (await t.http().get('/api/v1/interactions?limit=500').set(session.auth).expect(200)).body as Array<{
      id: string;
      source_chunk_id?: string;
      text: string;
    }>;

  it.each([1, 2] as const)(
    'v%i: two devices of one account upload the same words: 204 each, one interaction, from the better copy',
    async (v) => {
      const user = await registerUser(t);
      // desktop-app registers its name; dadei never registers and invents client-xxxxxxxx
      await t
        .http()
        .post(`/api/v${v}/service/clients`)
        .set(user.auth)
        .send({ client_id: 'desktop-client', metadata: {} })
        .expect(201);
      const networkId = await networkOf(user);
      const near = micCopy(speech[0]!, { gain: 1, snrDb: 30, seed: 1 });
      const far = micCopy(speech[0]!, { gain: 0.4, snrDb: 3, seed: 2 });
      const endMs = Date.now();
      const [a, b] = await Promise.all([
        upload(user.auth, 'desktop-client', far, {}, v),
        upload(user.auth, 'client-1a2b3c4d', near, { startMs: endMs - 6000, endMs }, v),
      ]);
      const uploadedAt = Date.now();
      expect([a.status, b.status]).toEqual([204, 204]);
      expect([a.text, b.text]).toEqual(['', '']);

      const rows = await settled(networkId);
      expect(rows.map((r) => r.stream_id).sort()).toEqual(['client-1a2b3c4d', 'desktop-client']);
      const won = rows.filter((r) => r.status === 'won');
      expect(won.map((r) => r.client_id)).toEqual(['client-1a2b3c4d']);
      expect(rows.find((r) => r.client_id === 'desktop-client')!.status).toBe('lost');
      expect(won[0]!.metadata).toMatchObject({ via: 'app', chunk_end_ms: endMs });
      // stored with the energy estimate; the VAD ran once for the two copies, on the better one (the one forwarded)
      expect(won[0]!.quality_basis).toBe('vad');
      expect(rows.find((r) => r.client_id === 'desktop-client')!.quality_basis).toBe('energy');

      const interactions = await interactionsOf(user);
      expect(interactions).toHaveLength(1);
      const v2 = (await t.http().get(`/api/v2/${networkId}/interactions`).set(user.auth).expect(200)).body
        .items;
      expect(v2.map((i: { source_chunk_id: string }) => i.source_chunk_id)).toEqual([won[0]!.id]);
      // the name first seen on an upload is now a device of the account
      expect((await t.http().get(`/api/v${v}/service/clients`).set(user.auth).expect(200)).body).toEqual([
        'desktop-client',
        'client-1a2b3c4d',
      ]);

      // The next words, later, from one device: a second interaction (never lost behind the first).
      await spokenAfter(uploadedAt, segmentMs());
      await upload(
        user.auth,
        'desktop-client',
        micCopy(speech[1]!, { gain: 1, snrDb: 25, seed: 3 }),
        {},
        v,
      ).expect(204);
      await settled(networkId);
      expect(await interactionsOf(user)).toHaveLength(2);
    },
    180_000,
  );

  it('two app instances on one database: the same words uploaded to each give one interaction', async () => {
    const second = await startTestApp(
      { TRANSCRIBER: 'none', JOBS_POLL_INTERVAL_MS: '30' },
      { database: t.database },
    );
    try {
      const user = await registerUser(t);
      const endMs = Date.now();
      const viaSecond = second
        .http()
        .post('/api/v2/interactions/register')
        .set(user.auth)
        .attach('audio', wav(micCopy(speech[1]!, { gain: 1, snrDb: 28, seed: 11 })), 'audio.wav')
        .field('client_id', 'client-2222abcd')
        .field('chunk_end_ms', String(endMs));
      const [a, b] = await Promise.all([
        upload(user.auth, 'desktop-client', micCopy(speech[1]!, { gain: 0.5, snrDb: 6, seed: 10 })),
        viaSecond,
      ]);
      expect([a.status, b.status]).toEqual([204, 204]);
      const rows = await settled(await networkOf(user));
      expect(rows.map((r) => [r.client_id, r.status]).sort()).toEqual([
        ['client-2222abcd', 'won'],
        ['desktop-client', 'lost'],
      ]);
      expect(await interactionsOf(user)).toHaveLength(1);
      // both instances answer the account's reads the same
      expect((await second.http().get('/api/v1/interactions').set(user.auth).expect(200)).body).toEqual(
        await interactionsOf(user),
      );
    } finally {
      await second.close();
    }
  }, 180_000);

  it('a copy that arrives after its words were decided is a late copy: it loses, never a second interaction', async () => {
    const user = await registerUser(t);
    // Both devices have sent something before (a moment of near-silence each): Mira knows their clocks.
    const hush = (seed: number) =>
      micCopy(new Float32Array(16000), { gain: 1, snrDb: 0, seed, padSeconds: 0 }).map((x) => x * 1e-3);
    for (const [device, seed] of [
      ['client-aaaa0001', 30],
      ['client-bbbb0002', 31],
    ] as const) {
      await upload(user.auth, device, hush(seed), { endMs: Date.now() }).expect(204);
    }
    const networkId = await networkOf(user);
    await settled(networkId);
    // the words come after that quiet moment
    await spokenAfter(Date.now(), segmentMs());
    const endMs = Date.now();
    const words = speech[2]!;
    await upload(user.auth, 'client-aaaa0001', micCopy(words, { gain: 0.5, snrDb: 8, seed: 8 }), {
      startMs: endMs - 6000,
      endMs,
    }).expect(204);
    await settled(networkId);
    // the second device's copy of the same words (same device clock instant), sent late and cleaner
    await upload(user.auth, 'client-bbbb0002', micCopy(words, { gain: 1, snrDb: 30, seed: 9 }), {
      startMs: endMs - 6000,
      endMs,
    }).expect(204);
    const rows = await settled(networkId);
    expect(rows.map((r) => [r.client_id, r.status])).toEqual([
      ['client-aaaa0001', 'silent'],
      ['client-bbbb0002', 'silent'],
      ['client-aaaa0001', 'won'],
      ['client-bbbb0002', 'lost'],
    ]);
    const [late] = (await db.query(
      `SELECT decision_reason FROM stream_chunks WHERE network_id = $1 AND id = $2`,
      [networkId, rows[3]!.id],
    )) as { decision_reason: string }[];
    expect(late!.decision_reason).toBe('late_copy');
    expect(await interactionsOf(user)).toHaveLength(1);
  }, 180_000);

  it('answers exactly 204 with no body, only after the chunk and its job are stored', async () => {
    const user = await registerUser(t);
    const res = await upload(user.auth, 'desk', micCopy(speech[2]!, { gain: 1, snrDb: 20, seed: 4 })).expect(
      204,
    );
    expect(res.text).toBe('');
    const networkId = await networkOf(user);
    // No waiting: at the 204 the chunk and its arbitration job are committed.
    const [row] = (await db.query(
      `SELECT c.id, (SELECT count(*)::int FROM jobs j WHERE j.network_id = c.network_id AND j.type = 'stream.arbitrate'
         AND j.payload->>'chunk_id' = c.id::text) AS jobs
       FROM stream_chunks c WHERE c.network_id = $1`,
      [networkId],
    )) as { id: string; jobs: number }[];
    expect(row).toEqual({ id: expect.any(String), jobs: 1 });
    await settled(networkId);
  }, 180_000);

  it('refuses what it cannot take: switched off (503), bad fields (422), bad audio (415), another device (403)', async () => {
    const user = await registerUser(t);
    const segment = micCopy(speech[2]!, { gain: 1, snrDb: 20, seed: 5 });
    await t.http().patch('/api/v1/service/network/disable').set(user.auth).expect(200);
    const off = await upload(user.auth, 'desk', segment).expect(503);
    expect(off.body.error_code).toBe('SERVICE_DISABLED');
    expect(off.headers['retry-after']).toBeDefined();
    await t.http().patch('/api/v1/service/network/enable').set(user.auth).expect(200);

    const noClient = await t
      .http()
      .post('/api/v1/interactions/register')
      .set(user.auth)
      .attach('audio', wav(segment), 'audio.wav')
      .expect(422);
    expect(noClient.body.fields.map((f: { field: string }) => f.field)).toContain('client_id');
    for (const [timing, field] of [
      [{ startMs: 1 }, 'chunk_start_ms'],
      [{ endMs: Date.now() + 30 * 24 * 3600 * 1000 }, 'chunk_end_ms'],
      [{ startMs: Date.now(), endMs: Date.now() - 5000 }, 'chunk_end_ms'],
    ] as const) {
      const res = await upload(user.auth, 'desk', segment, timing).expect(422);
      expect(res.body.fields[0].field).toBe(field);
    }
    await t
      .http()
      .post('/api/v1/interactions/register')
      .set(user.auth)
      .attach('audio', wav(segment), 'audio.wav')
      .field('client_id', 'desk')
      .field('chunk_end_ms', 'yesterday')
      .expect(422);
    await upload(user.auth, 'a/b', segment).expect(422);
    const missing = await t
      .http()
      .post('/api/v1/interactions/register')
      .set(user.auth)
      .field('client_id', 'desk')
      .expect(422);
    expect(missing.body.error_code).toBe('AUDIO_FILE_MISSING');
    const garbage = await t
      .http()
      .post('/api/v1/interactions/register')
      .set(user.auth)
      .attach('audio', Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(500, 3)]), 'audio.flac')
      .field('client_id', 'desk')
      .expect(415);
    expect(garbage.body.error_code).toBe('AUDIO_UNDECODABLE');
    // Nothing of that was stored, and no device was made from a refused name.
    const networkId = await networkOf(user);
    expect(await chunks(networkId)).toEqual([]);
    expect((await t.http().get('/api/v1/service/clients').set(user.auth).expect(200)).body).toEqual([]);

    // a device token speaks for its own device only
    const speaker = await registerClient(t, user, networkId, 'speaker');
    await upload(speaker, 'speaker', segment).expect(204);
    const other = await upload(speaker, 'desk', segment).expect(403);
    expect(other.body.error_code).toBe('FORBIDDEN');
    await settled(networkId);
  }, 180_000);

  it("another account's device names are its own: the same name in two accounts is two devices", async () => {
    const ada = await registerUser(t);
    const bob = await registerUser(t);
    await upload(ada.auth, 'desktop-client', micCopy(speech[1]!, { gain: 1, snrDb: 25, seed: 6 })).expect(
      204,
    );
    await upload(bob.auth, 'desktop-client', micCopy(speech[1]!, { gain: 1, snrDb: 25, seed: 7 })).expect(
      204,
    );
    const [adaNet, bobNet] = [await networkOf(ada), await networkOf(bob)];
    await settled(adaNet);
    await settled(bobNet);
    // Same words at the same time in two accounts: each account gets its own interaction.
    expect(await interactionsOf(ada)).toHaveLength(1);
    expect(await interactionsOf(bob)).toHaveLength(1);
  }, 180_000);
});
