import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import {
  createInteraction,
  createNetwork,
  createPerson,
  registerClient,
  registerUser,
  seedConversation,
  Session,
  startTestApp,
  TestApp,
} from '../support/app.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';

/**
 * The account door: the routes the shipped apps call without a network id, on /api/v1 and /api/v2, over
 * real HTTP: the account's network resolved from the token, the same services and tenancy as the network door
 * (another account's ids answer 404 with the same error body), the app line base paths and their version answers.
 */
describe('the account door (routes the shipped apps call)', () => {
  let t: TestApp;
  let ada: Session;
  let adaNetwork: string;
  let bob: Session;

  const api = (v: 1 | 2, path: string) => `/api/v${v}${path}`;
  const db = () => t.app.get(DataSource);

  /** Seeds through the network door: a conversation with one interaction, and an orphan interaction. */
  const seedTalk = async (
    session: Session,
    networkId: string,
    content = 'Shall we go for a walk at two?',
  ) => {
    const person = await createPerson(t, session.auth, networkId);
    const seeded = await seedConversation(t, session.auth, networkId, { title: 'Walk', person, content });
    const orphan = await createInteraction(t, session.auth, networkId, { content: 'Hello?' });
    return { person, ...seeded, orphan };
  };

  beforeAll(async () => {
    t = await startTestApp({ TRANSCRIBER: 'none' });
    ada = await registerUser(t);
    bob = await registerUser(t);
    // Ada's first account-door call makes her network.
    await t.http().get('/api/v1/service/clients').set(ada.auth).expect(200);
    adaNetwork = (await t.http().get('/api/v1/networks').set(ada.auth).expect(200)).body[0].id;
  }, 180_000); // a whole app on a busy machine

  afterAll(async () => t.close());

  describe('GET / and the app line base paths', () => {
    it("answers Mira's version at the root and each app line's contract version below its base path", async () => {
      const root = (await t.http().get('/').expect(200)).body;
      expect(root).toMatchObject({ version: t.config.values.appVersion, app_line: null });
      const desktop = (await t.http().get('/apps/desktop-app/').expect(200)).body;
      expect(desktop).toMatchObject({
        version: '1.1.1',
        app_line: 'desktop-app',
        mira_version: root.version,
      });
      const dadei = (await t.http().get('/apps/dadei/').expect(200)).body;
      expect(dadei).toMatchObject({ version: '4.0.3', app_line: 'dadei' });
      // the apps strip trailing slashes from their URL and add "/", but a bare base path works as well
      expect((await t.http().get('/apps/dadei').expect(200)).body.version).toBe('4.0.3');
      // the apps compare the leading integer with their own major
      expect(/^(\d+)/.exec(desktop.version)![1]).toBe('1');
      expect(/^(\d+)/.exec(dadei.version)![1]).toBe('4');
    });

    it('serves the whole API below a base path, and nothing below an unknown one', async () => {
      const direct = (await t.http().get('/api/v2/service/clients').set(ada.auth).expect(200)).body;
      for (const base of ['/apps/desktop-app', '/apps/dadei']) {
        expect((await t.http().get(`${base}/api/v2/service/clients`).set(ada.auth).expect(200)).body).toEqual(
          direct,
        );
        await t.http().get(`${base}/health`).expect(200);
        await t
          .http()
          .post(`${base}/api/v1/auth/login`)
          .send({ email: 'nobody@example.com', password: 'wrong password' })
          .expect(401);
      }
      const unknown = await t.http().get('/apps/other/').expect(404);
      expect(unknown.body.error_code).toBe('ROUTE_NOT_FOUND');
      await t.http().get('/apps/dadeix/').expect(404);
    });
  });

  describe('the account network', () => {
    it('is made on first use, once, and is the oldest owned network afterwards', async () => {
      const carol = await registerUser(t);
      expect((await t.http().get('/api/v1/networks').set(carol.auth).expect(200)).body).toEqual([]);
      await Promise.all(
        Array.from({ length: 5 }, () => t.http().get('/api/v2/persons').set(carol.auth).expect(200)),
      );
      const owned = (await t.http().get('/api/v1/networks').set(carol.auth).expect(200)).body;
      expect(owned).toHaveLength(1);
      await createNetwork(t, carol, 'Office');
      await t.http().post('/api/v1/service/clients').set(carol.auth).send({ client_id: 'desk' }).expect(201);
      expect(
        (await t.http().get(`/api/v1/${owned[0].id}/service/info`).set(carol.auth).expect(200)).body.clients,
      ).toEqual([expect.objectContaining({ client_id: 'desk' })]);
    });

    it('follows X-Network-Id for a user with several networks; another account’s network is a 404', async () => {
      const dan = await registerUser(t);
      const home = await createNetwork(t, dan, 'Home');
      const office = await createNetwork(t, dan, 'Office');
      await t
        .http()
        .post('/api/v1/service/clients')
        .set(dan.auth)
        .set('X-Network-Id', office)
        .send({ client_id: 'printer' })
        .expect(201);
      expect(
        (await t.http().get('/api/v1/service/clients').set(dan.auth).set('X-Network-Id', office).expect(200))
          .body,
      ).toEqual(['printer']);
      expect((await t.http().get('/api/v1/service/clients').set(dan.auth).expect(200)).body).toEqual([]);
      void home;
      const foreign = await t
        .http()
        .get('/api/v1/service/clients')
        .set(dan.auth)
        .set('X-Network-Id', adaNetwork)
        .expect(404);
      expect(foreign.body).toMatchObject({
        error_code: 'NETWORK_NOT_FOUND',
        detail: expect.any(String),
        timestamp: expect.any(String),
        request_id: expect.any(String),
      });
      const bad = await t
        .http()
        .get('/api/v1/service/clients')
        .set(dan.auth)
        .set('X-Network-Id', 'not-a-uuid')
        .expect(422);
      expect(bad.body.fields[0].field).toBe('X-Network-Id');
    });

    it('takes device tokens for their own network; owner-only routes refuse them with 403', async () => {
      const device = await registerClient(t, ada, adaNetwork, 'speaker');
      expect((await t.http().get('/api/v1/service/clients').set(device).expect(200)).body).toContain(
        'speaker',
      );
      const res = await t.http().patch('/api/v1/service/network/enable').set(device).expect(403);
      expect(res.body.error_code).toBe('FORBIDDEN');
      await t.http().get('/api/v1/persons').set(device).set('X-Network-Id', adaNetwork).expect(200);
      await t
        .http()
        .get('/api/v1/persons')
        .set(device)
        .set('X-Network-Id', '00000000-0000-4000-8000-000000000000')
        .expect(404);
      await t
        .http()
        .delete(`/api/v1/${adaNetwork}/service/client/deregister/speaker`)
        .set(ada.auth)
        .expect(200);
    });

    it('answers 401 without a token, like every secured route', async () => {
      for (const path of ['/service/clients', '/persons', '/interactions', '/conversations', '/actions']) {
        expect((await t.http().get(api(1, path)).expect(401)).body.error_code).toBe('UNAUTHENTICATED');
      }
    });
  });

  describe('/service/clients and the switch', () => {
    it.each([1, 2] as const)(
      'v%i: registers (409 when taken), assigns client1…, lists string[], renames, deletes repeat-safely',
      async (v) => {
        const user = await registerUser(t);
        const created = await t
          .http()
          .post(api(v, '/service/clients'))
          .set(user.auth)
          .send({ client_id: 'desktop-client', metadata: { local_ip: '127.0.0.1', external_ip: '10.0.0.7' } })
          .expect(201);
        expect(created.body).toEqual({
          client_id: 'desktop-client',
          connected_at: expect.stringMatching(/Z$/),
          metadata: { local_ip: '127.0.0.1', external_ip: '10.0.0.7' },
        });
        const taken = await t
          .http()
          .post(api(v, '/service/clients'))
          .set(user.auth)
          .send({ client_id: 'desktop-client' })
          .expect(409);
        expect(taken.body).toMatchObject({
          error_code: 'CLIENT_ALREADY_REGISTERED',
          request_id: expect.any(String),
        });
        const first = await t.http().post(api(v, '/service/clients')).set(user.auth).send({ metadata: {} });
        const second = await t.http().post(api(v, '/service/clients')).set(user.auth).send({});
        expect([first.status, second.status]).toEqual([201, 201]);
        expect([first.body.client_id, second.body.client_id]).toEqual(['client1', 'client2']);
        expect((await t.http().get(api(v, '/service/clients')).set(user.auth).expect(200)).body).toEqual([
          'desktop-client',
          'client1',
          'client2',
        ]);

        const renamed = await t
          .http()
          .patch(api(v, `/service/clients/${encodeURIComponent('desktop-client')}/rename`))
          .set(user.auth)
          .send({ new_client_id: "Ada's laptop" })
          .expect(200);
        expect(renamed.body).toMatchObject({
          client_id: "Ada's laptop",
          metadata: { local_ip: '127.0.0.1' },
        });
        await t
          .http()
          .patch(api(v, '/service/clients/client1/rename'))
          .set(user.auth)
          .send({ new_client_id: 'client2' })
          .expect(409);
        await t
          .http()
          .patch(api(v, '/service/clients/nobody/rename'))
          .set(user.auth)
          .send({ new_client_id: 'somebody' })
          .expect(404);
        const badName = await t
          .http()
          .patch(api(v, '/service/clients/client1/rename'))
          .set(user.auth)
          .send({ new_client_id: 'a/b' })
          .expect(422);
        expect(badName.body.fields[0].field).toBe('new_client_id');

        const path = api(v, `/service/clients/${encodeURIComponent("Ada's laptop")}`);
        await t.http().delete(path).set(user.auth).expect(204);
        await t.http().delete(path).set(user.auth).expect(204);
        await t.http().delete(api(v, '/service/clients/never-registered')).set(user.auth).expect(404);
        expect((await t.http().get(api(v, '/service/clients')).set(user.auth).expect(200)).body).toEqual([
          'client1',
          'client2',
        ]);
        // the name is free again
        await t
          .http()
          .post(api(v, '/service/clients'))
          .set(user.auth)
          .send({ client_id: "Ada's laptop" })
          .expect(201);
      },
    );

    it('refuses names and bodies it cannot take with a 422 naming the field', async () => {
      for (const client_id of ['', ' padded', 'x'.repeat(65), 'a/b', 42]) {
        const res = await t
          .http()
          .post('/api/v1/service/clients')
          .set(ada.auth)
          .send({ client_id })
          .expect(422);
        expect(res.body.fields.map((f: { field: string }) => f.field)).toContain('client_id');
      }
      const extra = await t
        .http()
        .post('/api/v1/service/clients')
        .set(ada.auth)
        .send({ name: 'x' })
        .expect(422);
      expect(extra.body.fields[0].field).toBe('name');
      await t
        .http()
        .post('/api/v1/service/clients')
        .set(ada.auth)
        .send({ metadata: [1] })
        .expect(422);
    });

    it.each([1, 2] as const)('v%i: enable and disable switch the network (2xx each time)', async (v) => {
      const user = await registerUser(t);
      await t.http().patch(api(v, '/service/network/disable')).set(user.auth).expect(200);
      const networkId = (await t.http().get('/api/v1/networks').set(user.auth).expect(200)).body[0].id;
      const state = async () =>
        (await t.http().get(`/api/v1/networks/${networkId}`).set(user.auth).expect(200)).body.service_enabled;
      expect(await state()).toBe(false);
      await t.http().patch(api(v, '/service/network/disable')).set(user.auth).expect(200);
      expect(
        (await t.http().patch(api(v, '/service/network/enable')).set(user.auth).expect(200)).body,
      ).toMatchObject({ enabled: true });
      expect(await state()).toBe(true);
    });
  });

  describe('/interactions, /conversations and /persons', () => {
    it.each([1, 2] as const)('v%i: lists interactions in the apps’ shape, with their filters', async (v) => {
      const user = await registerUser(t);
      await t.http().get(api(v, '/interactions')).set(user.auth).expect(200);
      const networkId = (await t.http().get('/api/v1/networks').set(user.auth).expect(200)).body[0].id;
      const a = await seedTalk(user, networkId);
      const b = await seedTalk(user, networkId, 'And then a coffee.');

      const all = (await t.http().get(api(v, '/interactions?limit=50&offset=0')).set(user.auth).expect(200))
        .body;
      expect(all).toHaveLength(4);
      const said = all.find((i: { id: string }) => i.id === a.said);
      expect(said).toMatchObject({
        id: a.said,
        text: 'Shall we go for a walk at two?',
        content: 'Shall we go for a walk at two?',
        timestamp: said.occurred_at,
        network_id: networkId,
        person_id: a.person,
        conversation_id: a.conversation,
        sentiment: null,
      });
      // newest first
      expect(all.map((i: { timestamp: string }) => i.timestamp)).toEqual(
        [...all.map((i: { timestamp: string }) => i.timestamp)].sort().reverse(),
      );

      const both = (
        await t
          .http()
          .get(
            api(
              v,
              `/interactions?limit=500&offset=0&conversation_ids=${a.conversation}&conversation_ids=${b.conversation}`,
            ),
          )
          .set(user.auth)
          .expect(200)
      ).body;
      expect(both.map((i: { id: string }) => i.id).sort()).toEqual([a.said, b.said].sort());
      const one = (
        await t
          .http()
          .get(api(v, `/interactions?limit=500&offset=0&conversation_ids=${b.conversation}`))
          .set(user.auth)
          .expect(200)
      ).body;
      expect(one.map((i: { id: string }) => i.id)).toEqual([b.said]);
      const orphans = (
        await t
          .http()
          .get(api(v, '/interactions?limit=500&offset=0&orphans_only=true'))
          .set(user.auth)
          .expect(200)
      ).body;
      expect(orphans.map((i: { id: string }) => i.id).sort()).toEqual([a.orphan, b.orphan].sort());
      expect(orphans.every((i: { conversation_id: unknown }) => i.conversation_id === null)).toBe(true);

      // a conversation deleted meanwhile selects nothing; one that never was this account's is a 404
      await t
        .http()
        .delete(api(v, `/conversations/${b.conversation}`))
        .set(user.auth)
        .expect(204);
      expect(
        (
          await t
            .http()
            .get(
              api(v, `/interactions?conversation_ids=${a.conversation}&conversation_ids=${b.conversation}`),
            )
            .set(user.auth)
            .expect(200)
        ).body.map((i: { id: string }) => i.id),
      ).toEqual([a.said]);
      await t
        .http()
        .get(api(v, `/interactions?conversation_ids=00000000-0000-4000-8000-000000000000`))
        .set(user.auth)
        .expect(404);
      await t
        .http()
        .get(api(v, `/interactions?conversation_ids=${a.conversation}&orphans_only=true`))
        .set(user.auth)
        .expect(422);
      await t.http().get(api(v, '/interactions?conversation_ids=nope')).set(user.auth).expect(422);
      await t.http().get(api(v, '/interactions?orphans_only=maybe')).set(user.auth).expect(422);
      await t.http().get(api(v, '/interactions?limit=501')).set(user.auth).expect(422);

      const one1 = (
        await t
          .http()
          .get(api(v, `/interactions/${a.said}`))
          .set(user.auth)
          .expect(200)
      ).body;
      expect(one1).toMatchObject({ id: a.said, text: expect.any(String), timestamp: expect.any(String) });
    });

    it.each([1, 2] as const)(
      'v%i: conversations newest first; deleting one takes its interactions; every delete is repeat-safe',
      async (v) => {
        const user = await registerUser(t);
        await t.http().get(api(v, '/conversations')).set(user.auth).expect(200);
        const networkId = (await t.http().get('/api/v1/networks').set(user.auth).expect(200)).body[0].id;
        const older = await seedTalk(user, networkId);
        const newer = await seedTalk(user, networkId);
        const list = (
          await t.http().get(api(v, '/conversations?limit=10&offset=0')).set(user.auth).expect(200)
        ).body;
        expect(list.map((c: { id: string }) => c.id)).toEqual([newer.conversation, older.conversation]);
        expect(list[0]).toMatchObject({
          id: newer.conversation,
          started_at: expect.any(String),
          topic_summary: null,
          context_summary: null,
          is_active: true,
        });
        expect((await t.http().get(api(v, '/conversations')).set(user.auth).expect(200)).body).toHaveLength(
          2,
        );
        await t
          .http()
          .get(api(v, `/conversations/${older.conversation}`))
          .set(user.auth)
          .expect(200);

        await t
          .http()
          .delete(api(v, `/conversations/${older.conversation}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .delete(api(v, `/conversations/${older.conversation}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .get(api(v, `/conversations/${older.conversation}`))
          .set(user.auth)
          .expect(404);
        await t
          .http()
          .get(api(v, `/interactions/${older.said}`))
          .set(user.auth)
          .expect(404);
        // desktop-app's "clear all" deletes the conversation's interactions after it: 204, not an error
        await t
          .http()
          .delete(api(v, `/interactions/${older.said}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .delete(api(v, `/interactions/${newer.orphan}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .delete(api(v, `/interactions/${newer.orphan}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .delete(api(v, '/interactions/00000000-0000-4000-8000-000000000000'))
          .set(user.auth)
          .expect(404);
      },
    );

    it.each([1, 2] as const)(
      'v%i: persons: list, get, rename with the apps’ multipart form, delete',
      async (v) => {
        const user = await registerUser(t);
        await t.http().get(api(v, '/persons')).set(user.auth).expect(200);
        const networkId = (await t.http().get('/api/v1/networks').set(user.auth).expect(200)).body[0].id;
        const { person } = await seedTalk(user, networkId);
        const list = (await t.http().get(api(v, '/persons')).set(user.auth).expect(200)).body;
        expect(list).toEqual([
          expect.objectContaining({
            id: person,
            name: null,
            index: 1,
            network_id: networkId,
            created_at: expect.any(String),
          }),
        ]);

        const renamed = await t
          .http()
          .patch(api(v, `/persons/${person}`))
          .set(user.auth)
          .field('name', 'Ada')
          .expect(200);
        expect(renamed.body).toMatchObject({
          id: person,
          name: 'Ada',
          index: 1,
          updated_at: expect.any(String),
        });
        expect(
          (
            await t
              .http()
              .get(api(v, `/persons/${person}`))
              .set(user.auth)
              .expect(200)
          ).body.name,
        ).toBe('Ada');
        // an empty name unnames ("Person 1" in the apps); JSON works too
        expect(
          (
            await t
              .http()
              .patch(api(v, `/persons/${person}`))
              .set(user.auth)
              .field('name', '')
              .expect(200)
          ).body.name,
        ).toBeNull();
        expect(
          (
            await t
              .http()
              .patch(api(v, `/persons/${person}`))
              .set(user.auth)
              .send({ name: 'Ada L.' })
              .expect(200)
          ).body.name,
        ).toBe('Ada L.');

        await t
          .http()
          .delete(api(v, `/persons/${person}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .delete(api(v, `/persons/${person}`))
          .set(user.auth)
          .expect(204);
        await t
          .http()
          .get(api(v, `/persons/${person}`))
          .set(user.auth)
          .expect(404);
      },
    );

    it('a person PATCH that asks for nothing Mira understands is a 4xx, never a silent 200', async () => {
      const { person } = await seedTalk(ada, adaNetwork);
      const nothing = await t
        .http()
        .patch(`/api/v1/persons/${person}`)
        .set(ada.auth)
        .field('nickname', 'x')
        .expect(422);
      expect(nothing.body.fields.map((f: { field: string }) => f.field)).toContain('nickname');
      await t.http().patch(`/api/v1/persons/${person}`).set(ada.auth).send({}).expect(422);
      const textOnly = await t
        .http()
        .patch(`/api/v1/persons/${person}`)
        .set(ada.auth)
        .field('expected_text', 'the quick brown fox')
        .expect(422);
      expect(textOnly.body.fields[0].field).toBe('audio');
      const plain = await t
        .http()
        .patch(`/api/v1/persons/${person}`)
        .set(ada.auth)
        .set('Content-Type', 'text/plain')
        .send('name=Ada')
        .expect(415);
      expect(plain.body.error_code).toBe('UNSUPPORTED_MEDIA_TYPE');
      // the network door's JSON PATCH no longer swallows a form either
      const form = await t
        .http()
        .patch(`/api/v1/${adaNetwork}/persons/${person}`)
        .set(ada.auth)
        .field('name', 'Ada')
        .expect(415);
      expect(form.body.error_code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(
        (await t.http().get(`/api/v1/persons/${person}`).set(ada.auth).expect(200)).body.name,
      ).toBeNull();
    });

    it('a person PATCH with audio and expected_text enrols a voice sample and can rename in the same form', async () => {
      const { person } = await seedTalk(ada, adaNetwork);
      const [speech] = librispeechDevFiles('1998');
      const res = await t
        .http()
        .patch(`/api/v2/persons/${person}`)
        .set(ada.auth)
        .field('name', 'Reader')
        .field('expected_text', 'what the reader read')
        .attach('audio', readFileSync(speech!), 'sample.flac')
        .expect(200);
      expect(res.body).toMatchObject({
        id: person,
        name: 'Reader',
        voiceprint_samples: 1,
        has_voiceprint: true,
      });
      const samples = (
        await t.http().get(`/api/v1/${adaNetwork}/persons/${person}/voice`).set(ada.auth).expect(200)
      ).body;
      expect(samples).toEqual([
        expect.objectContaining({ description: 'what the reader read', source: 'enrolment' }),
      ]);
      // a recording without speech is refused and changes nothing
      const silence = Buffer.alloc(44 + 32_000 * 2);
      silence.write('RIFF', 0);
      silence.writeUInt32LE(36 + 64_000, 4);
      silence.write('WAVEfmt ', 8);
      silence.writeUInt32LE(16, 16);
      silence.writeUInt16LE(1, 20);
      silence.writeUInt16LE(1, 22);
      silence.writeUInt32LE(16_000, 24);
      silence.writeUInt32LE(32_000, 28);
      silence.writeUInt16LE(2, 32);
      silence.writeUInt16LE(16, 34);
      silence.write('data', 36);
      silence.writeUInt32LE(64_000, 40);
      const refused = await t
        .http()
        .patch(`/api/v1/persons/${person}`)
        .set(ada.auth)
        .field('name', 'Someone else')
        .attach('audio', silence, 'audio.wav')
        .expect(422);
      expect(refused.body.error_code).toBe('VOICE_SAMPLE_NO_SPEECH');
      expect((await t.http().get(`/api/v1/persons/${person}`).set(ada.auth).expect(200)).body.name).toBe(
        'Reader',
      );
    });
  });

  describe('/actions', () => {
    it.each([1, 2] as const)(
      'v%i: lists actions in the NetworkAction shape and sets their status',
      async (v) => {
        const user = await registerUser(t);
        await t.http().get(api(v, '/actions')).set(user.auth).expect(200);
        const networkId = (await t.http().get('/api/v1/networks').set(user.auth).expect(200)).body[0].id;
        const said = await createInteraction(t, user.auth, networkId, {
          content: 'Remind me to water the plants tonight',
        });
        const inferred = await t
          .http()
          .post(`/api/v1/${networkId}/interactions/${said}/inference`)
          .set(user.auth)
          .expect(201);
        expect(inferred.body.action).toMatchObject({ action_type: 'remind' });

        const list = (await t.http().get(api(v, '/actions?limit=100&offset=0')).set(user.auth).expect(200))
          .body;
        expect(list).toEqual([
          expect.objectContaining({
            id: inferred.body.action.id,
            action_type: 'remind',
            status: 'pending',
            details: expect.stringContaining('water the plants'),
            parameters: inferred.body.action.details,
            interaction_id: said,
            network_id: networkId,
            completed_time: null,
            created_at: expect.any(String),
            updated_at: expect.any(String),
          }),
        ]);
        expect(list[0].scheduled_time === null || typeof list[0].scheduled_time === 'string').toBe(true);
        const confirmed = await t
          .http()
          .patch(api(v, `/actions/${list[0].id}`))
          .set(user.auth)
          .send({ status: 'confirmed' })
          .expect(200);
        expect(confirmed.body).toMatchObject({
          id: list[0].id,
          status: 'confirmed',
          details: list[0].details,
        });
        await t
          .http()
          .patch(api(v, `/actions/${list[0].id}`))
          .set(user.auth)
          .send({ status: 'done' })
          .expect(422);
      },
    );
  });

  describe('tenancy', () => {
    it("another account's ids answer 404 with the error body, and change nothing", async () => {
      const mine = await seedTalk(ada, adaNetwork);
      await t
        .http()
        .post('/api/v1/service/clients')
        .set(ada.auth)
        .send({ client_id: 'ada-only' })
        .expect(201);
      const snapshot = async () =>
        (await db().query(
          `SELECT (SELECT count(*) FROM persons) p, (SELECT count(*) FROM interactions) i,
                  (SELECT count(*) FROM conversations) c, (SELECT count(*) FROM clients WHERE revoked_at IS NULL) d,
                  (SELECT string_agg(coalesce(name, '-'), ',' ORDER BY id) FROM persons) n`,
        )) as unknown[];
      const before = await snapshot();
      const cases: Array<[string, string, object | undefined]> = [
        ['get', `/persons/${mine.person}`, undefined],
        ['patch', `/persons/${mine.person}`, { name: 'Mallory' }],
        ['delete', `/persons/${mine.person}`, undefined],
        ['get', `/conversations/${mine.conversation}`, undefined],
        ['delete', `/conversations/${mine.conversation}`, undefined],
        ['get', `/interactions/${mine.said}`, undefined],
        ['delete', `/interactions/${mine.said}`, undefined],
        ['get', `/interactions?conversation_ids=${mine.conversation}`, undefined],
        ['delete', '/service/clients/ada-only', undefined],
        ['patch', '/service/clients/ada-only/rename', { new_client_id: 'mallory' }],
      ];
      for (const v of [1, 2] as const) {
        for (const [method, path, body] of cases) {
          const req = t.http()[method as 'get'](api(v, path)).set(bob.auth);
          const res = body ? await req.send(body) : await req;
          expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
          expect(res.body).toMatchObject({
            detail: expect.any(String),
            error_code: expect.stringMatching(/_NOT_FOUND$/),
          });
        }
      }
      expect(await snapshot()).toEqual(before);
      // Bob sees an empty account of his own
      expect((await t.http().get('/api/v1/persons').set(bob.auth).expect(200)).body).toEqual([]);
      expect((await t.http().get('/api/v1/service/clients').set(bob.auth).expect(200)).body).toEqual([]);
    });
  });
});
