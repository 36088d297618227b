import fc from 'fast-check';
import { registerClient, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { toneWav } from '../support/speech.js';
import { wavHeader } from '@mira/core';

const MAX_BYTES = 256 * 1024;

interface UploadRoute {
  key: string;
  method: 'post' | 'patch';
  field: string;
  url: (ids: Ids) => string;
  fields: () => Record<string, string>;
  auth: (ids: Ids) => { Authorization: string };
}

interface Ids {
  networkId: string;
  personId: string;
  owner: { Authorization: string };
  device: { Authorization: string };
}

/** A RIFF/WAVE header with chosen fields, followed by `data` bytes. */
function wav(opts: {
  rate?: number;
  channels?: number;
  bits?: number;
  tag?: number;
  dataBytes?: Buffer;
  declared?: number;
}) {
  const rate = opts.rate ?? 16_000;
  const channels = opts.channels ?? 1;
  const bits = opts.bits ?? 16;
  const data = opts.dataBytes ?? Buffer.alloc(3200);
  const header = wavHeader({
    tag: opts.tag ?? 1,
    channels,
    rate: 0,
    bits,
    dataBytes: data.length,
    declaredDataBytes: opts.declared,
  });
  // A header may claim any 32-bit rate; its byte-rate field (rate × block size) then wraps like any u32 a writer
  // overflows, so both are written here rather than by wavHeader, which refuses values that do not fit.
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(Math.floor((rate * channels * bits) / 8) % 2 ** 32, 28);
  return Buffer.concat([header, data]);
}

const MAGICS: Record<string, Buffer> = {
  wav: Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
  flac: Buffer.from('fLaC\x00\x00\x00\x22', 'latin1'),
  ogg: Buffer.from('OggS\x00\x02', 'latin1'),
  mp3: Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'),
  webm: Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]),
  aiff: Buffer.from('FORM\x00\x00\x00\x00AIFF', 'latin1'),
  mp4: Buffer.from('\x00\x00\x00\x18ftypM4A ', 'latin1'),
};

/**
 * Audio fuzzing on every upload route (device stream ingestion, voice enrolment, and the apps' segment upload,
 * enrolment form and voice command):
 * truncated, corrupted, oversized, wrong-rate, zero-length, odd-length and random-byte files each get a 4xx with
 * an error code; nothing crashes, and a valid upload still works afterwards.
 */
describe('reliability: audio fuzzing on every upload route', () => {
  let t: TestApp;
  let ids: Ids;
  let routes: UploadRoute[];

  beforeAll(async () => {
    t = await startTestApp({
      AUDIO_MAX_BYTES: String(MAX_BYTES),
      TRANSCRIBER: 'none',
      JOBS_WORKER_ENABLED: 'false',
    });
    const { session, networkId } = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'kitchen');
    const person = await t
      .http()
      .post(`/api/v1/${networkId}/persons`)
      .set(session.auth)
      .send({ name: 'Fuzz' })
      .expect(201);
    ids = { networkId, personId: person.body.id, owner: session.auth, device };
    let seq = 0;
    routes = [
      {
        key: 'POST /api/v1/{network_id}/streams/{stream_id}/audio',
        method: 'post',
        field: 'audio_data',
        url: (i) => `/api/v1/${i.networkId}/streams/kitchen/audio`,
        fields: () => ({ timestamp: new Date(Date.now() + (seq += 1) * 10_000).toISOString() }),
        auth: (i) => i.device,
      },
      {
        key: 'POST /api/v1/{network_id}/persons/{person_id}/voice',
        method: 'post',
        field: 'audio_file',
        url: (i) => `/api/v1/${i.networkId}/persons/${i.personId}/voice`,
        fields: () => ({}),
        auth: (i) => i.owner,
      },
      {
        key: 'POST /api/v1/interactions/register',
        method: 'post',
        field: 'audio',
        url: () => '/api/v1/interactions/register',
        fields: () => ({ client_id: 'fuzz-mic' }),
        auth: (i) => i.owner,
      },
      {
        key: 'PATCH /api/v1/persons/{person_id}',
        method: 'patch',
        field: 'audio',
        url: (i) => `/api/v1/persons/${i.personId}`,
        fields: () => ({ expected_text: 'the words read aloud' }),
        auth: (i) => i.owner,
      },
      {
        key: 'POST /api/v1/actions/voice',
        method: 'post',
        field: 'audio',
        url: () => '/api/v1/actions/voice',
        fields: () => ({ client_id: 'fuzz-mic' }),
        auth: (i) => i.owner,
      },
    ];
  });

  afterAll(async () => t.close());

  const upload = (route: UploadRoute, bytes: Buffer, filename = 'clip.wav', contentType?: string) => {
    const req = t.http()[route.method](route.url(ids)).set(route.auth(ids));
    for (const [name, value] of Object.entries(route.fields())) req.field(name, value);
    return req.attach(route.field, bytes, contentType ? { filename, contentType } : filename);
  };

  it('the upload routes under test, with the recording upload fuzzed on its own, are every multipart route the API documents', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
    };
    const multipart = Object.entries(spec.paths)
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op.requestBody?.content?.['multipart/form-data'])
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      )
      .filter((k) => k.includes('/api/v1/'))
      .sort();
    // Recordings are accepted first and decoded by a job (a different contract): recording-upload-fuzz.rel-spec.ts
    expect(multipart).toEqual([...routes.map((r) => r.key), 'POST /api/v1/{network_id}/recordings'].sort());
  });

  const bad: Record<
    string,
    { bytes: () => Buffer; status: number[]; codes: string[]; contentType?: string }
  > = {
    'zero-length': { bytes: () => Buffer.alloc(0), status: [422], codes: ['AUDIO_EMPTY'] },
    'odd-length raw PCM': {
      bytes: () => Buffer.alloc(3201, 7),
      status: [422],
      codes: ['AUDIO_ODD_LENGTH_PCM'],
    },
    'oversized (AUDIO_MAX_BYTES + 1)': {
      bytes: () => wav({ dataBytes: Buffer.alloc(MAX_BYTES) }),
      status: [413],
      codes: ['AUDIO_TOO_LARGE'],
    },
    'truncated inside the header': {
      bytes: () => wav({}).subarray(0, 22),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
    },
    'truncated after the header (no samples)': {
      bytes: () => wav({ declared: 32_000 }).subarray(0, 44),
      status: [422],
      codes: ['AUDIO_EMPTY'],
    },
    'corrupted format (channels 0)': {
      bytes: () => wav({ channels: 0 }),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
    },
    'corrupted format (13-bit samples)': {
      bytes: () => wav({ bits: 13 }),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
    },
    'corrupted format (unknown codec tag)': {
      bytes: () => wav({ tag: 0x1234 }),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
    },
    'too long (61 s at 1 kHz, under the byte cap)': {
      bytes: () => wav({ rate: 1000, dataBytes: Buffer.alloc(61 * 1000 * 2) }),
      status: [413],
      codes: ['AUDIO_TOO_LONG'],
    },
    'wrong rate (500 Hz)': { bytes: () => wav({ rate: 500 }), status: [415], codes: ['AUDIO_UNDECODABLE'] },
    'wrong rate (1 MHz)': {
      bytes: () => wav({ rate: 1_000_000 }),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
    },
    'corrupted FLAC': {
      bytes: () => Buffer.concat([MAGICS.flac as Buffer, Buffer.alloc(2000, 0x5a)]),
      status: [415, 422],
      codes: ['AUDIO_UNDECODABLE', 'AUDIO_EMPTY'],
    },
    'unsupported container (AIFF)': {
      bytes: () => Buffer.concat([MAGICS.aiff as Buffer, Buffer.alloc(2000)]),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
    },
    'random bytes declared as JSON': {
      bytes: () => Buffer.from('{"not":"audio"}  '),
      status: [415],
      codes: ['AUDIO_UNDECODABLE'],
      contentType: 'application/json',
    },
  };

  for (const [name, c] of Object.entries(bad)) {
    it(`${name}: a 4xx with its error code on every upload route`, async () => {
      for (const route of routes) {
        const res = await upload(route, c.bytes(), 'clip.wav', c.contentType);
        const got = { route: route.key, status: res.status, code: res.body.error_code };
        expect(got).toEqual({
          route: route.key,
          status: c.status.includes(res.status) ? res.status : c.status[0],
          code: c.codes.includes(res.body.error_code) ? res.body.error_code : c.codes.join('|'),
        });
        expect(res.body.request_id).toEqual(expect.any(String));
      }
    });
  }

  it('a missing file part, two files, or a file in the wrong field: 422 naming the field', async () => {
    for (const route of routes) {
      const none = t.http()[route.method](route.url(ids)).set(route.auth(ids));
      for (const [n, v] of Object.entries(route.fields())) none.field(n, v);
      const missing = await none.field('other', 'x');
      expect(missing.status).toBe(422);
      expect(missing.body.error_code).toMatch(/^(AUDIO_FILE_MISSING|VALIDATION_FAILED)$/);
      const wrong = await t
        .http()
        [route.method](route.url(ids))
        .set(route.auth(ids))
        .attach('not_audio', toneWav(0.5, 0.3), 'a.wav');
      expect(wrong.status).toBe(422);
      const twice = await t
        .http()
        [route.method](route.url(ids))
        .set(route.auth(ids))
        .attach(route.field, toneWav(0.5, 0.3), 'a.wav')
        .attach(route.field, toneWav(0.5, 0.3), 'b.wav');
      expect(twice.status).toBe(422);
    }
  });

  it('property: random bytes, and random bytes behind every container magic, never get a 5xx or break the connection', async () => {
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.option(fc.constantFrom(...Object.keys(MAGICS)), { nil: undefined }),
        fc.uint8Array({ minLength: 0, maxLength: 24_000 }),
        async (route, magic, tail) => {
          const bytes = Buffer.concat([
            magic ? (MAGICS[magic] as Buffer) : Buffer.alloc(0),
            Buffer.from(tail),
          ]);
          const res = await upload(route, bytes);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status >= 500) return false;
          if (res.status >= 400)
            return typeof res.body.error_code === 'string' && res.body.error_code.length > 0;
          // A 2xx is only possible for headerless bytes, which the API reads as raw PCM16 16 kHz by contract
          // (the legacy desktop client streams raw PCM): even length, no container magic.
          return magic === undefined && bytes.length % 2 === 0;
        },
      ),
      { numRuns: 150 },
    );
    process.stderr.write(`[audio-fuzz] statuses ${JSON.stringify(statuses)}\n`);
  });

  it('property: any sample rate and channel count a WAV header can claim gets a 2xx or a 4xx, never a 5xx', async () => {
    const statuses: Record<string, number> = {};
    const rate = fc.oneof(
      fc.integer({ min: 0, max: 400_000 }),
      // the edges: libsamplerate's ceiling, the studio rates above it, the field's maximum
      fc.constantFrom(1000, 192_000, 192_001, 352_800, 384_000, 2 ** 32 - 1),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        rate,
        fc.integer({ min: 0, max: 40 }),
        async (route, sampleRate, channels) => {
          const res = await upload(route, wav({ rate: sampleRate, channels, dataBytes: Buffer.alloc(9600) }));
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          return res.status < 500 && (res.status < 400 || typeof res.body.error_code === 'string');
        },
      ),
      { numRuns: 60 },
    );
    process.stderr.write(`[audio-fuzz:rates] statuses ${JSON.stringify(statuses)}\n`);
  });

  it('after all of that the server is up and a valid upload still works on every route', async () => {
    await t.http().get('/health').expect(200);
    const ok = await upload(routes[0] as UploadRoute, toneWav(1, 0.3));
    expect(ok.status).toBe(200);
    // Enrolment of a pure tone is refused for lack of speech (the route works; the input is not a voice).
    const tone = await upload(routes[1] as UploadRoute, toneWav(2, 0.3));
    expect(tone.status).toBe(422);
    expect(tone.body.error_code).toMatch(/^VOICE_SAMPLE_/);
    // An app's segment is stored (204); an app's enrolment form is judged like any enrolment.
    expect((await upload(routes[2] as UploadRoute, toneWav(1, 0.3))).status).toBe(204);
    const appTone = await upload(routes[3] as UploadRoute, toneWav(2, 0.3));
    expect(appTone.status).toBe(422);
    expect(appTone.body.error_code).toMatch(/^VOICE_SAMPLE_/);
  });
});
