import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TEST_JWT_SECRET } from '../support/app.js';
import { bombArbitrary, makeBomb, type BombFormat } from '../support/audio-bombs.js';
import { ensureBuilt } from '../support/build.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  eventLoopLagMaxSeconds,
  memoryOf,
  resetPeak,
  watchHealth,
  watchMemory,
} from '../support/process-metrics.js';
import { requestJson, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { acks, liveAudioUrl, openLive, sendFrames } from '../support/live-audio-client.js';
import { toneWav } from '../support/speech.js';

const METRICS_TOKEN = 'bomb-test-metrics-token';
/** Far above what decoding AUDIO_MAX_SECONDS needs, far below what decoding one of these bombs whole takes. */
const PEAK_GROWTH_BOUND_MB = 400;
const BOMB_SECONDS = 30 * 60;
/** 480 converters of ~20 MB each would be ~10 GB; a bounded set leaves GC noise. */
const RATES_GROWTH_BOUND_MB = 150;
const FORMATS: BombFormat[] = ['flac', 'ogg-opus', 'ogg-vorbis', 'webm-opus', 'mp3', 'wav'];

const UPLOAD_BOUND_MS = 240_000;
/**
 * The property builds (ffmpeg) and sends its bombs one after another: 30 of them took 881 s at load 6-10 on two
 * cores, so it runs 20 and may take 20 minutes.
 */
const PROPERTY_TEST_BOUND_MS = 1_200_000;

/**
 * Lets this process's event loop turn after building bombs synchronously (ffmpeg): connections the server closed
 * as idle meanwhile are seen closed, so the next fetch (metrics, health) opens a new one instead of failing on them.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/**
 * One multipart POST on a connection of its own, closed after the answer. The bombs are built synchronously (ffmpeg),
 * which on a loaded machine stalls this process for longer than the server keeps an idle connection open; a
 * kept-alive connection closed meanwhile would take the next upload and fail it with EPIPE before the server saw it.
 */
async function postForm(
  url: string,
  token: string,
  form: FormData,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const encoded = new Request(url, { method: 'POST', body: form });
  const payload = Buffer.from(await encoded.arrayBuffer());
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: UPLOAD_BOUND_MS,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': encoded.headers.get('content-type') ?? 'multipart/form-data',
          'content-length': payload.length,
          connection: 'close',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            reject(new Error(`${res.statusCode ?? 0} answer that is not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${UPLOAD_BOUND_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

interface Route {
  name: string;
  /** The multipart field of the audio file. */
  field: string;
  path: string;
  token: string;
  /** Other form fields the route needs. */
  fields?: Record<string, string>;
}

/** The live-audio socket reads PCM16 frames of at most this many bytes (its ready message says so too). */
const LIVE_FRAME_BYTES = 32 * 1024;
const LIVE_BYTES_PER_SECOND = 16_000 * 2;

/**
 * Hostile audio against the compiled server. Decompression bombs: files of a few hundred KB that decode to half an
 * hour of PCM, in every accepted container, each shaped so that its headers do not give its length away (FLAC total
 * 0, Ogg granules -1, WebM laced packets, layer II behind layer III frames, a streaming WAV size). On every upload
 * route (device stream, enrolment, the apps' voice command) they must be refused with 413 AUDIO_TOO_LONG after
 * decoding at most AUDIO_MAX_SECONDS, off the event loop: the peak RSS of the compiled server stays within a bound
 * that decoding one bomb whole exceeds many times over, and /health keeps answering while they are refused. The
 * live-audio socket decodes no container (PCM16 or bare Opus packets): a bomb announced as one is refused (4422), one message over the frame
 * limit is closed (1009), and bomb bytes sent as PCM frames are stored as exactly the noise their bytes are.
 * Sample rates: one resampler kept per distinct rate would grow without bound, so 500 rates must leave memory flat.
 * RSS and event-loop figures are printed.
 */
describe('reliability: hostile audio (decompression bombs, distinct sample rates)', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let routes: Route[];
  let networkId: string;
  let deviceToken: string;
  const speech = readFileSync(librispeechDevFiles('1688')[0] as string);
  const started = Date.now() - 24 * 3_600_000;
  let sent = 0;

  const upload = async (route: Route, bytes: Buffer, filename: string) => {
    const form = new FormData();
    // a second apart, so no two chunks of the stream claim the same moment
    if (route.field === 'audio_data')
      form.set('timestamp', new Date(started + (sent += 1) * 1000).toISOString());
    for (const [name, value] of Object.entries(route.fields ?? {})) form.set(name, value);
    form.set(route.field, new Blob([new Uint8Array(bytes)]), filename);
    return postForm(`${server.baseUrl}${route.path}`, route.token, form);
  };

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDatabase();
    server = await startServerProcess({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      DB_POOL_SIZE: '4',
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'mira-hostile-audio-')),
      LOG_LEVEL: 'info',
      RATE_LIMIT_ENABLED: 'false',
      RETENTION_SWEEP_ENABLED: 'false',
      JOBS_WORKER_ENABLED: 'false',
      TRANSCRIBER: 'none',
      METRICS_TOKEN,
    });
    const reg = await requestJson(server.baseUrl, 'POST', '/api/v1/auth/register', {
      email: 'bombs@example.com',
      password: 'correct horse battery',
    });
    const token = reg.body['access_token'] as string;
    networkId = (await requestJson(server.baseUrl, 'POST', '/api/v1/networks', { name: 'b' }, token)).body[
      'id'
    ] as string;
    const device = await requestJson(
      server.baseUrl,
      'POST',
      `/api/v1/${networkId}/service/client/register/kitchen`,
      undefined,
      token,
    );
    const personId = (
      await requestJson(server.baseUrl, 'POST', `/api/v1/${networkId}/persons`, { name: 'P' }, token)
    ).body['id'] as string;
    deviceToken = device.body['client_token'] as string;
    routes = [
      {
        name: 'stream',
        field: 'audio_data',
        path: `/api/v1/${networkId}/streams/kitchen/audio`,
        token: deviceToken,
      },
      { name: 'enrol', field: 'audio_file', path: `/api/v1/${networkId}/persons/${personId}/voice`, token },
      // the apps' voice command (account door), sent by the device that heard it
      {
        name: 'voice',
        field: 'audio',
        path: '/api/v1/actions/voice',
        token: deviceToken,
        fields: { client_id: 'kitchen' },
      },
    ];
    // Warm up: real speech through the decoder, so the figures below measure the bombs, not first use.
    const ok = await upload(routes[0] as Route, speech, 'speech.flac');
    expect(ok.status).toBe(200);
  });

  afterAll(async () => {
    if (server && server.child.exitCode !== null) {
      process.stderr.write(
        `[bombs] the server exited (${server.child.exitCode}): ${server.stderr().slice(-2000)}\n`,
      );
    }
    server?.child.kill('SIGKILL');
    await db?.drop();
  });

  it(`a ${BOMB_SECONDS / 60}-minute bomb in each format on every upload route: 413 AUDIO_TOO_LONG, memory bounded, /health answering throughout`, async () => {
    const bombs = FORMATS.map((format) => ({ format, bytes: makeBomb(format, { seconds: BOMB_SECONDS }) }));
    await settle();
    const pid = server.child.pid as number;
    await eventLoopLagMaxSeconds(server.baseUrl, METRICS_TOKEN); // resets the server's lag histogram
    const before = memoryOf(pid);
    const peakReset = resetPeak(pid);
    const memory = watchMemory(pid);
    let inFlight = 0;
    const health = watchHealth(server.baseUrl, () => inFlight > 0);
    const results: string[] = [];
    const timings: Record<string, number> = {};
    // All bombs at once: a server that decodes on its event loop cannot answer /health until they are done.
    await Promise.all(
      bombs.flatMap(({ format, bytes }) =>
        routes.map(async (route) => {
          inFlight += 1;
          const started = performance.now();
          try {
            const res = await upload(route, bytes, `bomb.${format}`);
            results.push(`${format} ${route.name}: ${res.status} ${String(res.body['error_code'])}`);
          } finally {
            timings[`${format} ${route.name}`] = Math.round(performance.now() - started);
            inFlight -= 1;
          }
        }),
      ),
    );
    const healthFigures = await health.stop();
    const after = memory.stop();
    const lagMax = await eventLoopLagMaxSeconds(server.baseUrl, METRICS_TOKEN);
    const peakMb = peakReset ? after.peakMb : Math.max(after.peakMb, after.sampledPeakMb);
    process.stderr.write(
      `[bombs] ${bombs.map((b) => `${b.format} ${Math.round(b.bytes.length / 1024)} KB`).join(', ')} ` +
        `(${BOMB_SECONDS} s each, ${bombs.length * routes.length} uploads at once)\n` +
        `[bombs] RSS before ${before.rssMb.toFixed(0)} MB, peak ${peakMb.toFixed(0)} MB ` +
        `(sampled ${after.sampledPeakMb.toFixed(0)} MB), after ${after.rssMb.toFixed(0)} MB; ` +
        `event-loop lag max ${(lagMax * 1000).toFixed(0)} ms; /health ${healthFigures.answers} answers ` +
        `(${healthFigures.answeredWhileBusy} while bombs were in flight), ` +
        `slowest ${healthFigures.maxMs.toFixed(0)} ms, ${healthFigures.failures} failures\n[bombs] answer times ms ${JSON.stringify(timings)}\n`,
    );
    expect(results.sort()).toEqual(
      bombs.flatMap((b) => routes.map((r) => `${b.format} ${r.name}: 413 AUDIO_TOO_LONG`)).sort(),
    );
    expect(peakMb - before.rssMb).toBeLessThan(PEAK_GROWTH_BOUND_MB);
    expect(healthFigures.failures).toBe(0);
    expect(healthFigures.answeredWhileBusy).toBeGreaterThan(0);
    // And the server still does real work.
    expect((await upload(routes[0] as Route, speech, 'speech.flac')).status).toBe(200);
  });

  it(
    `live-audio socket: a ${BOMB_SECONDS / 60}-minute bomb in each format is refused as a container (4422) and as an oversized message (1009); sent as PCM frames it is stored as its own bytes, never decoded`,
    async () => {
      const bombs = FORMATS.map((format) => ({ format, bytes: makeBomb(format, { seconds: BOMB_SECONDS }) }));
      await settle();
      const pid = server.child.pid as number;
      const before = memoryOf(pid);
      const peakReset = resetPeak(pid);
      const memory = watchMemory(pid);
      let inFlight = 0;
      const health = watchHealth(server.baseUrl, () => inFlight > 0);
      const url = (streamId: string) => liveAudioUrl(server.baseUrl, networkId, streamId, deviceToken);
      const hello = (format?: string) =>
        JSON.stringify({ type: 'hello', timestamp: Date.now() - 3_600_000, ...(format ? { format } : {}) });
      const outcomes: string[] = [];
      const stored: Record<string, { bytes: number; seconds: number }> = {};
      inFlight += 1;
      try {
        for (const [i, { format, bytes }] of bombs.entries()) {
          // announced as the container it is: the socket takes PCM16 and bare Opus packets, no container
          const announced = await openLive(url(`bomb-${i}-announced`));
          announced.ws.send(hello(format));
          const refusedHello = await announced.closed;
          outcomes.push(`${format} announced: ${refusedHello.code} ${refusedHello.reason.split(':')[0]}`);

          // one message larger than a frame may be (the bomb repeated past the limit)
          const ready = await openLive(url(`bomb-${i}-whole`));
          const maxFrame = ready.events('ready')[0]!['max_frame_bytes'] as number;
          ready.ws.send(hello());
          const whole = Buffer.concat(
            Array.from({ length: Math.ceil((maxFrame + 1) / bytes.length) }, () => bytes),
          );
          ready.ws.send(whole);
          outcomes.push(`${format} whole: ${(await ready.closed).code}`);

          // the bomb's bytes as PCM frames: stored as noise of exactly their length, nothing decoded
          const pcm = bytes.subarray(0, bytes.length - (bytes.length % 2));
          const frames: Buffer[] = [];
          for (let at = 0; at < pcm.length; at += LIVE_FRAME_BYTES)
            frames.push(pcm.subarray(at, at + LIVE_FRAME_BYTES));
          const live = await openLive(url(`bomb-${i}-pcm`));
          live.ws.send(hello());
          await sendFrames(live, frames, 0, frames.length);
          live.ws.send(JSON.stringify({ type: 'flush' }));
          await live.waitFor(
            (m) => m['event'] === 'ack' && m['committed_seq'] === frames.length - 1,
            `ack of frame ${frames.length - 1}`,
            UPLOAD_BOUND_MS,
          );
          const seconds = acks(live).reduce((sum, ack) => sum + ack.duration_seconds, 0);
          stored[format] = { bytes: pcm.length, seconds: Math.round(seconds * 1000) / 1000 };
          await live.close();
        }
      } finally {
        inFlight -= 1;
      }
      const healthFigures = await health.stop();
      const after = memory.stop();
      const peakMb = peakReset ? after.peakMb : Math.max(after.peakMb, after.sampledPeakMb);
      process.stderr.write(
        `[bombs:live] ${outcomes.join(', ')}; stored ${JSON.stringify(stored)}; RSS before ` +
          `${before.rssMb.toFixed(0)} MB, peak ${peakMb.toFixed(0)} MB, after ${after.rssMb.toFixed(0)} MB; ` +
          `/health ${healthFigures.answers} answers, ${healthFigures.failures} failures\n`,
      );
      expect(outcomes).toEqual(
        bombs.flatMap((b) => [`${b.format} announced: 4422 VALIDATION_FAILED`, `${b.format} whole: 1009`]),
      );
      for (const { format } of bombs) {
        const { bytes, seconds } = stored[format]!;
        // PCM16 mono 16 kHz: the stored length is the bytes sent, never what the container would decode to
        expect({ format, seconds }).toEqual({
          format,
          seconds: expect.closeTo(bytes / LIVE_BYTES_PER_SECOND, 1),
        });
      }
      expect(peakMb - before.rssMb).toBeLessThan(PEAK_GROWTH_BOUND_MB);
      expect(healthFigures.failures).toBe(0);
      await requestJson(server.baseUrl, 'GET', '/health').then((res) => expect(res.status).toBe(200));
    },
    PROPERTY_TEST_BOUND_MS,
  );

  it('500 small WAVs at 500 distinct sample rates leave memory flat: a bounded set of resamplers', async () => {
    const pid = server.child.pid as number;
    const rates = Array.from({ length: 500 }, (_, i) => 1000 + i * 382);
    const statuses: Record<string, number> = {};
    const send = async (rate: number) => {
      const res = await upload(routes[0] as Route, toneWav(0.25, 0.3, 440, rate), `tone-${rate}.wav`);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    };
    // the first rates fill the converters the resampler keeps: memory is measured from there
    for (const rate of rates.slice(0, 20)) await send(rate);
    await eventLoopLagMaxSeconds(server.baseUrl, METRICS_TOKEN);
    const warm = memoryOf(pid);
    const peakReset = resetPeak(pid);
    const memory = watchMemory(pid);
    for (const rate of rates.slice(20)) await send(rate);
    const after = memory.stop();
    const lagMax = await eventLoopLagMaxSeconds(server.baseUrl, METRICS_TOKEN);
    const peakMb = peakReset ? after.peakMb : Math.max(after.peakMb, after.sampledPeakMb);
    process.stderr.write(
      `[rates] ${rates.length} rates ${rates[0]}–${rates[rates.length - 1]} Hz, ` +
        `statuses ${JSON.stringify(statuses)}; ` +
        `RSS after 20 rates ${warm.rssMb.toFixed(0)} MB, after 500 ${after.rssMb.toFixed(0)} MB, ` +
        `peak ${peakMb.toFixed(0)} MB; event-loop lag max ${(lagMax * 1000).toFixed(0)} ms\n`,
    );
    expect(statuses).toEqual({ 200: rates.length });
    // one converter per rate kept (~20 MB each) would be gigabytes here
    expect(after.rssMb - warm.rssMb).toBeLessThan(RATES_GROWTH_BOUND_MB);
  });

  it('WAV above 192 kHz (up to the 384 kHz studio rate) is 415 AUDIO_UNDECODABLE with the error body, not a 500', async () => {
    for (const rate of [192_001, 200_000, 384_000]) {
      for (const route of routes) {
        const res = await upload(route, toneWav(0.1, 0.3, 440, rate), `fast-${rate}.wav`);
        expect({ rate, route: route.name, status: res.status, code: res.body['error_code'] }).toEqual({
          rate,
          route: route.name,
          status: 415,
          code: 'AUDIO_UNDECODABLE',
        });
        expect(res.body['request_id']).toEqual(expect.any(String));
      }
    }
  });

  it(
    'property: bombs of random format, length, channels and frame shape are refused with a 4xx, never decoded whole',
    async () => {
      const pid = server.child.pid as number;
      const before = memoryOf(pid);
      const peakReset = resetPeak(pid);
      const memory = watchMemory(pid);
      const statuses: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(bombArbitrary(), fc.constantFrom(0, 1, 2), async (bomb, routeIndex) => {
          const bytes = bomb.bytes();
          const res = await upload(routes[routeIndex] as Route, bytes, `bomb.${bomb.format}`);
          const key = `${res.status} ${String(res.body['error_code'])}`;
          statuses[key] = (statuses[key] ?? 0) + 1;
          // Over-long audio is 413; a shape the decoder does not take (too many channels) may be 415.
          if (res.status !== 413 && res.status !== 415) {
            // fast-check reports only the bomb; the answer is what tells a wrong refusal from a decoded bomb
            process.stderr.write(
              `[bombs:property] ${bomb.format} ${JSON.stringify(bomb.options)} on route ${routeIndex}: ` +
                `${res.status} ${JSON.stringify(res.body)}\n`,
            );
          }
          return res.status === 413 || res.status === 415;
        }),
        { numRuns: 20 },
      );
      const after = memory.stop();
      const peakMb = peakReset ? after.peakMb : Math.max(after.peakMb, after.sampledPeakMb);
      process.stderr.write(
        `[bombs:property] ${JSON.stringify(statuses)}; RSS before ${before.rssMb.toFixed(0)} MB, ` +
          `peak ${peakMb.toFixed(0)} MB, after ${after.rssMb.toFixed(0)} MB\n`,
      );
      expect(peakMb - before.rssMb).toBeLessThan(PEAK_GROWTH_BOUND_MB);
    },
    PROPERTY_TEST_BOUND_MS,
  );
});
