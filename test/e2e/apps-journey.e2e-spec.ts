import { readFileSync } from 'node:fs';
import { AudioService } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { APP_LINES, type AppLine } from '../contract/apps-contract.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { registerUser, startTestApp, TestApp } from '../support/app.js';
import { FakeGemini, geminiJson, geminiRequestKind, geminiText } from '../support/fake-gemini.js';
import { openSession, RealtimeMessage, TestSocket } from '../support/realtime-client.js';

/**
 * Both app lines, end to end, as a person uses them. Two instances on one database behind one address
 * (REST on one, the socket on the other, as a load balancer may place them), each app through its base path:
 * version check → sign-up → device → socket → switch on (service_status) → a spoken segment → the `interaction`
 * event with its transcript and speaker → the list → delete. Gemini is a local fake at the wire.
 */
describe('the apps end to end: REST on one instance, the socket on another', () => {
  let fake: FakeGemini;
  let rest: TestApp;
  let socketHost: TestApp;
  let segment: Buffer;
  const enrolment = librispeechDevFiles('1688')[0]!;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    fake = await FakeGemini.start();
    fake.respondWith((request) => {
      const kind = geminiRequestKind(request);
      if (kind === 'transcription') return geminiText('Shall we go for a walk at two?');
      if (kind === 'actions') return geminiJson({ call_to_action: false });
      if (kind === 'memories') return geminiJson({ memories: [] });
      return geminiJson({ topic_summary: 'A walk', context_summary: 'Someone suggests a walk.' });
    });
    const env = fake.env({
      TRANSCRIBER: 'gemini',
      JOBS_POLL_INTERVAL_MS: '50',
      REALTIME_HEARTBEAT_SECONDS: '5',
      // one deployment, one voiceprint key (each test instance would otherwise generate its own)
      VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    rest = await startTestApp(env);
    socketHost = await startTestApp(env, { database: rest.database });
    // What the app's VAD sends: at most 10 s of 16 kHz mono PCM16 WAV.
    const decoded = await rest.app.get(AudioService).decode(readFileSync(enrolment), {});
    segment = encodeWav16(decoded.samples.slice(0, 8 * 16_000), 16_000);
  }, 240_000);

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await socketHost?.close();
    await rest?.close();
    await fake?.close();
  });

  for (const [line, info] of Object.entries(APP_LINES) as [AppLine, (typeof APP_LINES)[AppLine]][]) {
    for (const version of [1, 2] as const) {
      it(`${line} on /api/v${version}`, async () => {
        const base = `${rest.baseUrl}${info.basePath}`;
        const api = `${info.basePath}/api/v${version}`;

        // launch: the version gate at the app's URL
        const gate = (await rest.http().get(`${info.basePath}/`).expect(200)).body;
        expect(Number(/^(\d+)/.exec(gate.version)![1])).toBe(info.major);

        // sign-up, then the device: desktop-app registers its name, dadei lets the socket name it
        const user = await registerUser(rest);
        const clientId = line === 'desktop-app' ? 'desktop-client' : 'client-7e57ab1e';
        if (line === 'desktop-app') {
          await rest
            .http()
            .post(`${api}/service/clients`)
            .set(user.auth)
            .send({ client_id: clientId, metadata: { local_ip: '127.0.0.1' } })
            .expect(201);
        }

        // the socket, on the other instance, built from the same URL as the app's REST calls
        const wsUrl = new URL(`${base.replace(/^http/, 'ws')}/api/v${version}/realtime/ws`);
        wsUrl.host = new URL(socketHost.baseUrl).host;
        wsUrl.searchParams.set('token', user.accessToken);
        wsUrl.searchParams.set('client_id', clientId);
        const socket = await openSession(wsUrl.toString());
        sockets.push(socket);
        const ready = socket.events('session_ready')[0]!;
        expect(ready).toMatchObject({ client_id: clientId, session_token: expect.any(String) });
        expect((await rest.http().get(`${api}/service/clients`).set(user.auth).expect(200)).body).toEqual([
          clientId,
        ]);

        // the switch: 2xx, then service_status with a top-level boolean within the apps' 5 s
        const before = socket.messages.length;
        const switchedAt = Date.now();
        await rest.http().patch(`${api}/service/network/enable`).set(user.auth).expect(200);
        await socket.waitFor(
          (m) => socket.messages.indexOf(m) >= before && m.event === 'service_status' && m.enabled === true,
          'service_status enabled',
          5_000,
        );
        expect(Date.now() - switchedAt).toBeLessThan(5_000);

        // a person the assistant knows by voice: enrolled with the app's own form
        const networkId = (await rest.http().get('/api/v1/networks').set(user.auth).expect(200)).body[0].id;
        const person = (
          await rest.http().post(`/api/v1/${networkId}/persons`).set(user.auth).send({}).expect(201)
        ).body.id as string;
        await rest
          .http()
          .patch(`${api}/persons/${person}`)
          .set(user.auth)
          .field('name', 'Anna')
          .field('expected_text', 'what Anna read')
          .attach('audio', readFileSync(enrolment), 'sample.flac')
          .expect(200);

        // a spoken segment, exactly as the app posts it (dadei adds its session token and timing)
        let upload = rest
          .http()
          .post(`${api}/interactions/register`)
          .set(user.auth)
          .attach('audio', segment, { filename: 'audio.wav', contentType: 'audio/wav' })
          .field('client_id', clientId);
        if (line === 'dadei') {
          const end = Date.now();
          upload = upload
            .field('session_token', String(ready.session_token))
            .field('chunk_start_ms', String(end - 7400))
            .field('chunk_end_ms', String(end));
        }
        const accepted = await upload;
        expect(accepted.status).toBe(204);

        // the interaction event reaches the socket on the other instance, with transcript and speaker
        const event = await socket.waitFor(
          (m: RealtimeMessage) => m.event === 'interaction' && !!m.data,
          'interaction event',
          120_000,
        );
        const said = event.data as Record<string, unknown>;
        expect(said).toMatchObject({
          text: 'Shall we go for a walk at two?',
          person_id: person,
          conversation_id: expect.any(String),
          timestamp: expect.any(String),
          network_id: networkId,
          sentiment: null,
        });

        // the panel's reads find it as the event described it
        const listed = (
          await rest.http().get(`${api}/interactions?limit=50&offset=0`).set(user.auth).expect(200)
        ).body;
        expect(listed).toEqual([
          expect.objectContaining({ id: said.id, text: said.text, person_id: person }),
        ]);
        const conversation = (
          await rest
            .http()
            .get(`${api}/conversations/${String(said.conversation_id)}`)
            .set(user.auth)
            .expect(200)
        ).body;
        expect(conversation).toMatchObject({ id: said.conversation_id, is_active: expect.any(Boolean) });
        expect((await rest.http().get(`${api}/persons/${person}`).set(user.auth).expect(200)).body.name).toBe(
          'Anna',
        );

        // delete, as each app does it; repeats are 2xx
        if (line === 'dadei') {
          await rest
            .http()
            .delete(`${api}/conversations/${String(said.conversation_id)}`)
            .set(user.auth)
            .expect(204);
        } else {
          await rest
            .http()
            .delete(`${api}/interactions/${String(said.id)}`)
            .set(user.auth)
            .expect(204);
        }
        await rest
          .http()
          .delete(`${api}/interactions/${String(said.id)}`)
          .set(user.auth)
          .expect(204);
        expect((await rest.http().get(`${api}/interactions`).set(user.auth).expect(200)).body).toEqual([]);

        // switch off (seen on the socket too), and desktop-app deregisters on quit
        const offFrom = socket.messages.length;
        await rest.http().patch(`${api}/service/network/disable`).set(user.auth).expect(200);
        await socket.waitFor(
          (m) => socket.messages.indexOf(m) >= offFrom && m.event === 'service_status' && m.enabled === false,
          'service_status disabled',
          5_000,
        );
        if (line === 'desktop-app') {
          await rest.http().delete(`${api}/service/clients/${clientId}`).set(user.auth).expect(204);
        }
      }, 240_000);
    }
  }
});
