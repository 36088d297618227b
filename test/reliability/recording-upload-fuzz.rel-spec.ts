import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { wavHeader } from '@mira/core';
import { startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { toneWav } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

const MAX_BYTES = 192 * 1024;
const MAX_SECONDS = 4;

/** Container magics Mira sniffs, and some it refuses; random bytes follow them. */
const MAGICS: Record<string, Buffer> = {
  wav: Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
  flac: Buffer.from('fLaC\x00\x00\x00\x22', 'latin1'),
  ogg: Buffer.from('OggS\x00\x02', 'latin1'),
  mp3: Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'),
  mp3frame: Buffer.from([0xff, 0xfb, 0x90, 0x64]),
  webm: Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]),
  aiff: Buffer.from('FORM\x00\x00\x00\x00AIFF', 'latin1'),
  mp4: Buffer.from('\x00\x00\x00\x18ftypM4A ', 'latin1'),
};

const FINISHED = ['done', 'failed', 'cancelled'];

/**
 * Fuzzing of POST /{network_id}/recordings. Its contract differs from the chunk routes': what can be told while the
 * bytes arrive is refused at once (a 4xx with an error code, nothing stored), anything else is accepted (202) and
 * its task ends `done` or `failed` with an error code — never a 5xx, a dropped connection, a task left running or a
 * worker that stops taking jobs. Inputs: random bytes alone and behind every container magic, valid WAV headers
 * with random fields and truncated or corrupted real audio, random form fields, file names and content types.
 */
describe('reliability: fuzzing the recording upload', () => {
  let t: TestApp;
  let networkId: string;
  let auth: { Authorization: string };
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const accepted: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '50',
      RECORDINGS_MAX_BYTES: String(MAX_BYTES),
      RECORDINGS_MAX_SECONDS: String(MAX_SECONDS),
    });
    const user = await userWithNetwork(t);
    networkId = user.networkId;
    auth = user.session.auth;
  });

  afterAll(async () => t.close());

  const upload = (
    bytes: Buffer,
    opts: { filename?: string; contentType?: string; fields?: Record<string, string> } = {},
  ) => {
    const req = t.http().post(`/api/v1/${networkId}/recordings`).set(auth);
    for (const [name, value] of Object.entries(opts.fields ?? {})) req.field(name, value);
    const filename = opts.filename ?? 'meeting.wav';
    return req.attach(
      'audio',
      bytes,
      opts.contentType ? { filename, contentType: opts.contentType } : filename,
    );
  };

  /** One answer judged: a 4xx carries an error code and leaves no recording; a 202 names its recording and task. */
  const judge = (res: { status: number; body: Record<string, unknown> }): boolean => {
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status >= 500) return false;
    if (res.status === 202) {
      accepted.push(res.body['task_id'] as string);
      return typeof res.body['recording_id'] === 'string' && typeof res.body['task_id'] === 'string';
    }
    return (
      res.status >= 400 &&
      ![401, 403, 404].includes(res.status) &&
      typeof res.body['error_code'] === 'string' &&
      typeof res.body['request_id'] === 'string'
    );
  };

  const wavBytes = fc
    .record({
      tag: fc.constantFrom(1, 3, 0x55, 0xfffe, 0x1234),
      channels: fc.integer({ min: 0, max: 9 }),
      rate: fc.constantFrom(0, 1, 8000, 16_000, 44_100, 96_000, 1_000_000),
      bits: fc.constantFrom(0, 8, 13, 16, 24, 32, 64),
      data: fc.uint8Array({ minLength: 0, maxLength: 40_000 }),
      declared: fc.option(fc.integer({ min: 0, max: 2 ** 31 }), { nil: undefined }),
      cut: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    })
    .map(({ data, declared, cut, ...fmt }) => {
      const header = wavHeader({ ...fmt, dataBytes: data.length, declaredDataBytes: declared });
      const whole = Buffer.concat([header, Buffer.from(data)]);
      return cut === undefined ? whole : whole.subarray(0, cut);
    });

  const magicBytes = fc
    .tuple(
      fc.option(fc.constantFrom(...Object.keys(MAGICS)), { nil: undefined }),
      fc.uint8Array({ minLength: 0, maxLength: 40_000 }),
    )
    .map(([magic, tail]) =>
      Buffer.concat([magic ? (MAGICS[magic] as Buffer) : Buffer.alloc(0), Buffer.from(tail)]),
    );

  /** Real speech-like audio (a tone) cut short or with bytes overwritten. */
  const damagedWav = fc
    .record({
      seconds: fc.double({ min: 0.05, max: 6, noNaN: true }),
      cutAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      flips: fc.array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })),
        {
          maxLength: 40,
        },
      ),
    })
    .map(({ seconds, cutAt, flips }) => {
      const bytes = Buffer.from(toneWav(seconds, 0.3));
      for (const [at, value] of flips) bytes[Math.floor(at * (bytes.length - 1))] = value;
      return cutAt === undefined ? bytes : bytes.subarray(0, Math.floor(cutAt * bytes.length));
    });

  const fields = fc.dictionary(
    fc.constantFrom('recorded_at', 'title', 'metadata', 'network_id', 'audio', 'other'),
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.json({ maxDepth: 2 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
    ),
    { maxKeys: 4 },
  );

  it('property: random, damaged and malformed uploads get a 202 or a 4xx with an error code, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(wavBytes, magicBytes, damagedWav),
        fc.option(fields, { nil: undefined }),
        fc.constantFrom('meeting.wav', 'a.flac', 'x', '../../etc/passwd', 'ü.ogg', 'a'.repeat(300)),
        fc.option(
          fc.constantFrom('audio/wav', 'audio/ogg', 'application/json', 'text/plain', 'audio/x-unknown'),
          { nil: undefined },
        ),
        async (bytes, form, filename, contentType) =>
          judge(await upload(bytes, { filename, contentType, fields: form })),
      ),
      { numRuns: 120 },
    );
    process.stderr.write(`[recording-fuzz] statuses ${JSON.stringify(statuses)}\n`);
    expect(statuses['202']).toBeGreaterThan(0);
    expect(Object.keys(statuses).filter((s) => s.startsWith('4')).length).toBeGreaterThan(0);
  }, 600_000);

  it('malformed multipart: no boundary, a cut body, two files, a file in another field → a 4xx, never a 5xx', async () => {
    const url = `/api/v1/${networkId}/recordings`;
    const wav = toneWav(0.5, 0.3);
    const noBoundary = await t
      .http()
      .post(url)
      .set(auth)
      .set('content-type', 'multipart/form-data')
      .send(Buffer.from('--x\r\nnothing'));
    const cut = await t
      .http()
      .post(url)
      .set(auth)
      .set('content-type', 'multipart/form-data; boundary=b')
      .send(
        Buffer.concat([
          Buffer.from('--b\r\ncontent-disposition: form-data; name="audio"; filename="a.wav"\r\n\r\n'),
          wav.subarray(0, 500),
        ]),
      );
    const twice = await t
      .http()
      .post(url)
      .set(auth)
      .attach('audio', wav, 'a.wav')
      .attach('audio', wav, 'b.wav');
    const elsewhere = await t.http().post(url).set(auth).attach('not_audio', wav, 'a.wav');
    const json = await t.http().post(url).set(auth).send({ audio: 'UklGRg==' });
    for (const res of [noBoundary, cut, twice, elsewhere, json]) {
      expect({ status: res.status, code: typeof res.body.error_code }).toEqual({
        status: res.status >= 400 && res.status < 500 ? res.status : 'a 4xx',
        code: 'string',
      });
    }
  });

  it('every accepted upload is processed to an end: done, or failed with an error code', async () => {
    expect(accepted.length).toBeGreaterThan(0);
    const db = t.app.get(DataSource);
    const rows = await waitFor(
      async () => {
        const now = (await db.query(
          `SELECT j.id, j.status, r.status AS recording_status, r.error_code
           FROM jobs j JOIN recordings r ON r.network_id = j.network_id AND r.task_id = j.id
           WHERE j.network_id = $1 AND j.id = ANY($2::uuid[])`,
          [networkId, accepted],
        )) as Array<{ id: string; status: string; recording_status: string; error_code: string | null }>;
        return now.length === accepted.length && now.every((r) => FINISHED.includes(r.status))
          ? now
          : undefined;
      },
      { timeoutMs: 540_000, intervalMs: 500, what: 'every accepted recording processed' },
    );
    for (const r of rows) {
      outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
      expect({ task: r.status, recording: r.recording_status }).toEqual({
        task: r.status,
        recording: r.status,
      });
      if (r.status === 'failed') expect(r.error_code).toEqual(expect.any(String));
    }
    process.stderr.write(`[recording-fuzz] ${accepted.length} accepted → ${JSON.stringify(outcomes)}\n`);
    // The API answers the same through GET /tasks.
    const sample = rows[0]!;
    const task = await t.http().get(`/api/v1/${networkId}/tasks/${sample.id}`).set(auth).expect(200);
    expect(task.body.status).toBe(sample.status);
  }, 600_000);

  it('afterwards the server is up, nothing is left receiving, and a valid upload is processed', async () => {
    await t.http().get('/health').expect(200);
    const [{ receiving }] = (await t.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS receiving FROM recordings WHERE network_id = $1 AND status = 'receiving'`,
        [networkId],
      )) as [{ receiving: number }];
    expect(receiving).toBe(0);
    const ok = await upload(toneWav(2, 0.3)).expect(202);
    const done = await waitFor(
      async () => {
        const res = await t.http().get(`/api/v1/${networkId}/tasks/${ok.body.task_id}`).set(auth).expect(200);
        return FINISHED.includes(res.body.status) ? res.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'the valid upload processed' },
    );
    expect(done).toMatchObject({ status: 'done', progress: 1 });
  }, 180_000);
});
