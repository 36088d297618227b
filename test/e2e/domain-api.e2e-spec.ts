import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { registerClient, startTestApp, TestApp, userWithNetwork, type Session } from '../support/app.js';

/**
 * The domain REST API (persons, conversations, interactions) at the original API's paths, v1 and v2, with
 * tenant scoping, validation that names the parameter, and documented delete effects.
 */
describe('domain API: persons, conversations, interactions (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let session: Session;
  let nid: string;
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

  const api = (v: 1 | 2, path: string) => `/api/v${v}/${nid}${path}`;
  /** A request of the session's user on a path of their network. */
  const call = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', v: 1 | 2, path: string) =>
    t.http()[method](api(v, path)).set(session.auth);
  const createPerson = async (body: object = {}) =>
    (await call('post', 1, '/persons').send(body).expect(201)).body;
  const createConversation = async (participants: string[], title = 'Chat') =>
    (await call('post', 1, '/conversations').send({ title, participants }).expect(201)).body;
  const createInteraction = async (body: object) =>
    (await call('post', 1, '/interactions').send(body).expect(201)).body;
  /** Another user's network with a person, a conversation of that person and an interaction. */
  const otherNetwork = async () => {
    const { session: other, networkId: otherNid } = await userWithNetwork(t);
    const create = async (path: string, body: object) =>
      (await t.http().post(`/api/v1/${otherNid}${path}`).set(other.auth).send(body).expect(201)).body;
    const person = await create('/persons', {});
    const conversation = await create('/conversations', { title: 'x', participants: [person.id] });
    const interaction = await create('/interactions', { interaction_type: 'text', content: 's' });
    return { other, otherNid, person, conversation, interaction };
  };
  /** Every route on one item (GET, PUT, PATCH, DELETE, in v1 and v2) answers 404 with `code`. */
  const expectNoItem = async (path: string, body: object, code: string) => {
    for (const v of [1, 2] as const) {
      for (const method of ['get', 'put', 'patch', 'delete'] as const) {
        const req = call(method, v, path);
        const res = await (method === 'put' || method === 'patch' ? req.send(body) : req);
        expect(`${method} v${v}: ${res.status} ${res.body.error_code}`).toBe(`${method} v${v}: 404 ${code}`);
      }
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    ({ session, networkId: nid } = await userWithNetwork(t));
  });

  afterAll(async () => {
    await t.close();
  });

  describe('persons', () => {
    it('creates persons with per-network indexes and the original API shape (no raw embedding)', async () => {
      const { session: other, networkId: otherNid } = await userWithNetwork(t);
      const a = await createPerson({ name: '  John Doe  ', metadata: { role: 'owner' } });
      const b = await createPerson();
      expect(a).toEqual({
        id: expect.any(String),
        network_id: nid,
        name: 'John Doe',
        index: expect.any(Number),
        voiceprint_samples: 0,
        has_voiceprint: false,
        needs_reenrolment: false,
        conversation_count: 0,
        metadata: { role: 'owner' },
        created_at: expect.stringMatching(iso),
        updated_at: expect.stringMatching(iso),
      });
      expect(b.index).toBe(a.index + 1);
      expect(b.name).toBeNull();
      expect(a).not.toHaveProperty('voice_embedding');
      // Another network counts from 1.
      const first = await t.http().post(`/api/v1/${otherNid}/persons`).set(other.auth).send({}).expect(201);
      expect(first.body.index).toBe(1);
    });

    it('allocates distinct indexes under concurrent creation', async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      const results = await Promise.all(
        Array.from({ length: 12 }, () => t.http().post(`/api/v1/${n}/persons`).set(s.auth).send({})),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      expect(results.map((r) => r.body.index).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
    });

    it('lists (v1 bare array by index, v2 envelope with sort/order and display_name), gets, updates', async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      for (const name of ['Cleo', null, 'Ada']) {
        await t.http().post(`/api/v1/${n}/persons`).set(s.auth).send({ name }).expect(201);
      }
      const v1 = await t.http().get(`/api/v1/${n}/persons?limit=2&offset=0`).set(s.auth).expect(200);
      expect(v1.body.map((p: { index: number }) => p.index)).toEqual([1, 2]);
      const v2 = await t
        .http()
        .get(`/api/v2/${n}/persons?limit=2&sort=name&order=asc`)
        .set(s.auth)
        .expect(200);
      expect(v2.body).toMatchObject({ total: 3, limit: 2, offset: 0, next_offset: 2 });
      expect(v2.body.items.map((p: { name: string }) => p.name)).toEqual(['Ada', 'Cleo']);
      const last = await t.http().get(`/api/v2/${n}/persons?limit=2&offset=2`).set(s.auth).expect(200);
      expect(last.body.next_offset).toBeNull();
      expect(last.body.items[0]).toMatchObject({ display_name: 'Ada', index: 3, interaction_count: 0 });

      const id = v1.body[1].id;
      const got = await t.http().get(`/api/v2/${n}/persons/${id}`).set(s.auth).expect(200);
      expect(got.body).toMatchObject({ id, display_name: 'Person 2', last_interaction_at: null });
      const put = await t
        .http()
        .put(`/api/v1/${n}/persons/${id}`)
        .set(s.auth)
        .send({ name: 'Bo' })
        .expect(200);
      expect(put.body).toMatchObject({ name: 'Bo', index: 2, metadata: {} });
      const patch = await t
        .http()
        .patch(`/api/v2/${n}/persons/${id}`)
        .set(s.auth)
        .send({ metadata: { k: 1 } })
        .expect(200);
      expect(patch.body).toMatchObject({ name: 'Bo', metadata: { k: 1 }, display_name: 'Bo' });
      const unnamed = await t
        .http()
        .patch(`/api/v1/${n}/persons/${id}`)
        .set(s.auth)
        .send({ name: null })
        .expect(200);
      expect(unnamed.body.name).toBeNull();
    });

    it('validates bodies, ids, pagination and metadata bounds with 422 naming the field', async () => {
      const fieldOf = async (req: Promise<{ status: number; body: { fields: { field: string }[] } }>) => {
        const res = await req;
        expect(res.status).toBe(422);
        return res.body.fields.map((f) => f.field);
      };
      expect(await fieldOf(call('post', 1, '/persons').send({ name: '   ' }))).toEqual(['name']);
      expect(await fieldOf(call('post', 1, '/persons').send({ name: 'x'.repeat(256) }))).toEqual(['name']);
      expect(await fieldOf(call('post', 1, '/persons').send({ name: 5 }))).toEqual(['name']);
      expect(await fieldOf(call('post', 1, '/persons').send({ name: 'a\u0000b' }))).toEqual(['name']);
      expect(await fieldOf(call('post', 1, '/persons').send({ metadata: [1] }))).toEqual(['metadata']);
      expect(await fieldOf(call('post', 1, '/persons').send({ metadata: null }))).toEqual(['metadata']);
      const manyKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
      expect(await fieldOf(call('post', 1, '/persons').send({ metadata: manyKeys }))).toEqual(['metadata']);
      const big = { blob: 'x'.repeat(17_000) };
      expect(await fieldOf(call('post', 2, '/persons').send({ metadata: big }))).toEqual(['metadata']);
      expect(await fieldOf(call('post', 1, '/persons').send({ voice_embedding: 'x' }))).toEqual([
        'voice_embedding',
      ]);
      expect(await fieldOf(call('get', 1, '/persons/not-a-uuid'))).toEqual(['person_id']);
      expect(await fieldOf(call('delete', 2, '/persons/123'))).toEqual(['person_id']);
      expect(await fieldOf(call('get', 1, '/persons?limit=0'))).toEqual(['limit']);
      expect(await fieldOf(call('get', 2, '/persons?sort=secret'))).toEqual(['sort']);
    });

    it('answers 404 for missing ids and for persons of another network', async () => {
      const { other, otherNid, person: foreign } = await otherNetwork();
      for (const id of [randomUUID(), foreign.id]) {
        await expectNoItem(`/persons/${id}`, { name: 'x' }, 'PERSON_NOT_FOUND');
      }
      expect(
        (await t.http().get(`/api/v1/${otherNid}/persons/${foreign.id}`).set(other.auth)).body.name,
      ).toBeNull();
    });

    it('deleting a person keeps their interactions (unattributed, marked) and removes them from participants; repeatable', async () => {
      const p = await createPerson({ name: 'Leaving' });
      const q = await createPerson({ name: 'Staying' });
      const c = await createConversation([p.id, q.id]);
      const i = await createInteraction({
        person_id: p.id,
        conversation_id: c.id,
        content: 'hi',
        interaction_type: 'text',
      });
      await call('delete', 1, `/persons/${p.id}`).expect(204);
      await call('delete', 1, `/persons/${p.id}`).expect(204);
      await call('delete', 2, `/persons/${p.id}`).expect(204);
      await call('get', 1, `/persons/${p.id}`).expect(404);
      await call('put', 1, `/persons/${p.id}`).send({ name: 'x' }).expect(404);
      const kept = await call('get', 1, `/interactions/${i.id}`).expect(200);
      expect(kept.body).toMatchObject({ person_id: null, content: 'hi', conversation_id: c.id });
      expect(kept.body.metadata.deleted_person).toEqual({
        id: p.id,
        index: p.index,
        name: 'Leaving',
        deleted_at: expect.any(String),
      });
      const conv = await call('get', 1, `/conversations/${c.id}`).expect(200);
      expect(conv.body.participants).toEqual([q.id]);
      // The filter by a deleted person is a 404 like any unknown person.
      await call('get', 1, `/interactions?person_id=${p.id}`).expect(404);
    });

    it('devices of the network may use the routes; devices of another network may not', async () => {
      const device = await registerClient(t, session, nid, `dev-${Date.now()}`);
      await t.http().get(api(1, '/persons')).set(device).expect(200);
      await t.http().post(api(2, '/persons')).set(device).send({}).expect(201);
      const { session: other, networkId: otherNid } = await userWithNetwork(t);
      const foreignDevice = await registerClient(t, other, otherNid, 'kitchen');
      await t.http().get(api(1, '/persons')).set(foreignDevice).expect(404);
      await t.http().get(api(1, '/persons')).expect(401);
    });
  });

  describe('conversations', () => {
    it('creates with title and participants, lists newest first (v1 array, v2 envelope), gets, updates', async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      const p1 = (await t.http().post(`/api/v1/${n}/persons`).set(s.auth).send({ name: 'A' })).body;
      const p2 = (await t.http().post(`/api/v1/${n}/persons`).set(s.auth).send({})).body;
      const first = (
        await t
          .http()
          .post(`/api/v1/${n}/conversations`)
          .set(s.auth)
          .send({ title: ' Morning ', participants: [p1.id] })
          .expect(201)
      ).body;
      expect(first).toEqual({
        id: expect.any(String),
        network_id: n,
        title: 'Morning',
        participants: [p1.id],
        interaction_count: 0,
        started_at: expect.stringMatching(iso),
        ended_at: null,
        is_active: true,
        topic_summary: null,
        context_summary: null,
        created_at: expect.stringMatching(iso),
        updated_at: expect.stringMatching(iso),
      });
      const second = (
        await t
          .http()
          .post(`/api/v2/${n}/conversations`)
          .set(s.auth)
          .send({ title: 'Evening', participants: [p2.id.toUpperCase(), p1.id] })
          .expect(201)
      ).body;
      expect(second.participants).toEqual([p2.id, p1.id]);
      expect(second.participant_details).toEqual([
        { id: p2.id, name: null, index: p2.index, display_name: `Person ${p2.index}` },
        { id: p1.id, name: 'A', index: p1.index, display_name: 'A' },
      ]);
      const v1 = await t.http().get(`/api/v1/${n}/conversations`).set(s.auth).expect(200);
      expect(v1.body.map((c: { id: string }) => c.id)).toEqual([second.id, first.id]);
      const v2 = await t.http().get(`/api/v2/${n}/conversations?order=asc&limit=1`).set(s.auth).expect(200);
      expect(v2.body).toMatchObject({ total: 2, limit: 1, offset: 0, next_offset: 1 });
      expect(v2.body.items[0]).toMatchObject({ id: first.id, summary_kind: null, duration_seconds: null });

      const ended = await t
        .http()
        .patch(`/api/v2/${n}/conversations/${first.id}`)
        .set(s.auth)
        .send({ is_active: false })
        .expect(200);
      expect(ended.body).toMatchObject({
        is_active: false,
        ended_at: expect.stringMatching(iso),
        duration_seconds: expect.any(Number),
      });
      const active = await t.http().get(`/api/v2/${n}/conversations?is_active=true`).set(s.auth).expect(200);
      expect(active.body.items.map((c: { id: string }) => c.id)).toEqual([second.id]);
      const put = await t
        .http()
        .put(`/api/v1/${n}/conversations/${second.id}`)
        .set(s.auth)
        .send({ title: 'Renamed', participants: [p1.id], topic_summary: 'Plans' })
        .expect(200);
      expect(put.body).toMatchObject({ title: 'Renamed', participants: [p1.id], topic_summary: 'Plans' });
      const person = await t.http().get(`/api/v1/${n}/persons/${p1.id}`).set(s.auth).expect(200);
      expect(person.body.conversation_count).toBe(2);
    });

    it('validates title and participants (1-50, uuids, distinct, same network)', async () => {
      const p = await createPerson();
      const { session: other, networkId: otherNid } = await userWithNetwork(t);
      const foreign = (
        await t.http().post(`/api/v1/${otherNid}/persons`).set(other.auth).send({}).expect(201)
      ).body;
      const post = (body: object) => call('post', 1, '/conversations').send(body);
      const fields = async (body: object) => {
        const res = await post(body);
        expect(res.status).toBe(422);
        return res.body.fields.map((f: { field: string }) => f.field);
      };
      expect(await fields({ title: '   ', participants: [p.id] })).toEqual(['title']);
      expect(await fields({ title: 'x'.repeat(256), participants: [p.id] })).toEqual(['title']);
      expect(await fields({ participants: [p.id] })).toEqual(['title']);
      expect(await fields({ title: 'ok', participants: [] })).toEqual(['participants']);
      expect(await fields({ title: 'ok', participants: ['nope'] })).toEqual(['participants']);
      expect(await fields({ title: 'ok', participants: [p.id, p.id] })).toEqual(['participants']);
      expect(
        await fields({ title: 'ok', participants: Array.from({ length: 51 }, () => randomUUID()) }),
      ).toEqual(['participants']);
      expect(await fields({ title: 'ok', participants: 'x' })).toEqual(['participants']);
      const notHere = await post({ title: 'ok', participants: [p.id, foreign.id] }).expect(404);
      expect(notHere.body.error_code).toBe('PERSON_NOT_FOUND');
      await post({ title: 'ok', participants: [randomUUID()] }).expect(404);
      const c = await createConversation([p.id]);
      const patchFields = async (body: object) => {
        const res = await call('patch', 2, `/conversations/${c.id}`).send(body);
        expect(res.status).toBe(422);
        return res.body.fields.map((f: { field: string }) => f.field);
      };
      expect(await patchFields({ title: null })).toEqual(['title']);
      expect(await patchFields({ is_active: 'yes' })).toEqual(['is_active']);
      expect(await patchFields({ participants: [] })).toEqual(['participants']);
      await call('patch', 2, `/conversations/${c.id}`)
        .send({ participants: [foreign.id] })
        .expect(404);
      expect((await call('get', 1, `/conversations/${c.id}`)).body.participants).toEqual([p.id]);
      expect((await call('get', 1, '/conversations/xyz').expect(422)).body.fields[0].field).toBe(
        'conversation_id',
      );
    });

    it('answers 404 for missing and foreign conversations', async () => {
      const { other, otherNid, conversation: foreign } = await otherNetwork();
      for (const id of [randomUUID(), foreign.id]) {
        await expectNoItem(`/conversations/${id}`, { title: 'y' }, 'CONVERSATION_NOT_FOUND');
      }
      await t.http().get(`/api/v1/${otherNid}/conversations/${foreign.id}`).set(other.auth).expect(200);
    });

    it('deleting a conversation deletes its interactions; repeated deletes (also of those interactions) answer 204', async () => {
      const p = await createPerson();
      const c = await createConversation([p.id]);
      const other = await createConversation([p.id], 'Other');
      const inside = await createInteraction({
        conversation_id: c.id,
        content: 'a',
        interaction_type: 'text',
      });
      const outside = await createInteraction({
        conversation_id: other.id,
        content: 'b',
        interaction_type: 'text',
      });
      const listed = await call('get', 1, `/conversations/${c.id}`).expect(200);
      expect(listed.body.interaction_count).toBe(1);
      await call('delete', 1, `/conversations/${c.id}`).expect(204);
      await call('delete', 2, `/conversations/${c.id}`).expect(204);
      await call('get', 1, `/conversations/${c.id}`).expect(404);
      await call('get', 1, `/interactions/${inside.id}`).expect(404);
      // desktop-app's "clear all" then deletes each interaction by id: still a 2xx.
      await call('delete', 1, `/interactions/${inside.id}`).expect(204);
      await call('get', 1, `/interactions/${outside.id}`).expect(200);
      await call('get', 1, `/interactions?conversation_id=${c.id}`).expect(404);
      expect((await call('get', 1, `/persons/${p.id}`)).body.conversation_count).toBe(1);
    });
  });

  describe('interactions', () => {
    it('creates (seed body), gets, lists with filters (v1 array, v2 envelope), updates, deletes idempotently', async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      const post = (v: number, path: string, body: object) =>
        t.http().post(`/api/v${v}/${n}${path}`).set(s.auth).send(body);
      const alice = (await post(1, '/persons', { name: 'Alice' })).body;
      const bob = (await post(1, '/persons', { name: 'Bob' })).body;
      const conv = (await post(1, '/conversations', { title: 'Walk', participants: [alice.id] })).body;
      const created = await post(1, '/interactions', {
        person_id: bob.id,
        conversation_id: conv.id,
        content: "Let's go for a walk at 2PM.",
        interaction_type: 'audio',
        metadata: { lang: 'en' },
      }).expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        network_id: n,
        person_id: bob.id,
        conversation_id: conv.id,
        content: "Let's go for a walk at 2PM.",
        interaction_type: 'audio',
        metadata: { lang: 'en' },
        occurred_at: expect.stringMatching(iso),
        created_at: expect.stringMatching(iso),
        updated_at: expect.stringMatching(iso),
      });
      // Speaking in a conversation makes you a participant.
      const convNow = (await t.http().get(`/api/v1/${n}/conversations/${conv.id}`).set(s.auth)).body;
      expect(convNow.participants.sort()).toEqual([alice.id, bob.id].sort());
      await post(2, '/interactions', {
        person_id: alice.id,
        content: 'x',
        interaction_type: 'text',
        occurred_at: '2026-01-01T10:00:00Z',
      }).expect(201);
      await post(2, '/interactions', {
        content: null,
        interaction_type: 'system',
        occurred_at: '2026-01-02T10:00:00+02:00',
      }).expect(201);

      const all = await t.http().get(`/api/v1/${n}/interactions`).set(s.auth).expect(200);
      expect(all.body).toHaveLength(3);
      expect(all.body[0].id).toBe(created.body.id); // newest first
      const byPerson = await t
        .http()
        .get(`/api/v1/${n}/interactions?person_id=${alice.id}`)
        .set(s.auth)
        .expect(200);
      expect(byPerson.body.map((i: { content: string }) => i.content)).toEqual(['x']);
      const byConv = await t
        .http()
        .get(`/api/v1/${n}/interactions?conversation_id=${conv.id}&limit=50`)
        .set(s.auth)
        .expect(200);
      expect(byConv.body.map((i: { id: string }) => i.id)).toEqual([created.body.id]);
      const byType = await t
        .http()
        .get(`/api/v2/${n}/interactions?interaction_type=system`)
        .set(s.auth)
        .expect(200);
      expect(byType.body).toMatchObject({ total: 1, next_offset: null });
      expect(byType.body.items[0]).toMatchObject({
        content: null,
        occurred_at: '2026-01-02T08:00:00.000Z',
        speaker_confidence: null,
        transcription_status: null,
        processing_status: null,
        source_stream_id: null,
        source_chunk_id: null,
      });
      const window = await t
        .http()
        .get(`/api/v2/${n}/interactions?since=2026-01-01T00:00:00Z&until=2026-01-02T08:00:00Z&order=asc`)
        .set(s.auth)
        .expect(200);
      expect(window.body.items.map((i: { content: string }) => i.content)).toEqual(['x']);
      const asc = await t
        .http()
        .get(`/api/v2/${n}/interactions?sort=occurred_at&order=asc&limit=2`)
        .set(s.auth)
        .expect(200);
      expect(asc.body).toMatchObject({ total: 3, limit: 2, next_offset: 2 });
      expect(asc.body.items[0].content).toBe('x');

      const id = created.body.id;
      const put = await t
        .http()
        .put(`/api/v1/${n}/interactions/${id}`)
        .set(s.auth)
        .send({ content: 'edited', person_id: null })
        .expect(200);
      expect(put.body).toMatchObject({ content: 'edited', person_id: null, conversation_id: conv.id });
      const patch = await t
        .http()
        .patch(`/api/v2/${n}/interactions/${id}`)
        .set(s.auth)
        .send({ conversation_id: null })
        .expect(200);
      expect(patch.body).toMatchObject({ conversation_id: null, content: 'edited' });
      const bobNow = (await t.http().get(`/api/v2/${n}/persons/${bob.id}`).set(s.auth)).body;
      expect(bobNow).toMatchObject({ interaction_count: 0 });
      const aliceNow = (await t.http().get(`/api/v2/${n}/persons/${alice.id}`).set(s.auth)).body;
      expect(aliceNow).toMatchObject({
        interaction_count: 1,
        last_interaction_at: '2026-01-01T10:00:00.000Z',
      });

      await t.http().delete(`/api/v1/${n}/interactions/${id}`).set(s.auth).expect(204);
      await t.http().delete(`/api/v2/${n}/interactions/${id}`).set(s.auth).expect(204);
      await t.http().get(`/api/v1/${n}/interactions/${id}`).set(s.auth).expect(404);
      await t.http().put(`/api/v1/${n}/interactions/${id}`).set(s.auth).send({ content: 'z' }).expect(404);
    });

    it('validates bodies and filters with 422 naming the field', async () => {
      const fields = async (req: PromiseLike<{ status: number; body: { fields: { field: string }[] } }>) => {
        const res = await req;
        expect(res.status).toBe(422);
        return res.body.fields.map((f) => f.field);
      };
      const post = (body: object) => call('post', 1, '/interactions').send(body);
      expect(await fields(post({ content: 'x' }))).toEqual(['interaction_type']);
      expect(await fields(post({ content: 'x', interaction_type: 'video' }))).toEqual(['interaction_type']);
      expect(await fields(post({ interaction_type: 'text', person_id: 'abc' }))).toEqual(['person_id']);
      expect(await fields(post({ interaction_type: 'text', conversation_id: 7 }))).toEqual([
        'conversation_id',
      ]);
      expect(await fields(post({ interaction_type: 'text', content: 'x'.repeat(20_001) }))).toEqual([
        'content',
      ]);
      expect(await fields(post({ interaction_type: 'text', metadata: 'x' }))).toEqual(['metadata']);
      expect(await fields(post({ interaction_type: 'text', occurred_at: 'yesterday' }))).toEqual([
        'occurred_at',
      ]);
      expect(await fields(post({ interaction_type: 'text', occurred_at: '2026-01-01T10:00:00' }))).toEqual([
        'occurred_at',
      ]);
      expect(
        await fields(post({ interaction_type: 'text', occurred_at: '+275760-09-13T00:00:00Z' })),
      ).toEqual(['occurred_at']);
      const get = (q: string) => call('get', 1, `/interactions${q}`);
      expect(await fields(get('?person_id=nope'))).toEqual(['person_id']);
      expect(await fields(get('?conversation_id=1'))).toEqual(['conversation_id']);
      expect(await fields(get('?interaction_type=x'))).toEqual(['interaction_type']);
      expect(await fields(get('?since=tomorrow'))).toEqual(['since']);
      expect(await fields(get('?until=2026-13-01T00:00:00Z'))).toEqual(['until']);
      expect(await fields(get('?limit=501'))).toEqual(['limit']);
      expect(await fields(get('?offset=-1'))).toEqual(['offset']);
      expect(await fields(get('?person_id=a&person_id=b'))).toEqual(['person_id']);
      expect(await fields(call('get', 2, '/interactions?sort=content'))).toEqual(['sort']);
      expect(await fields(call('get', 1, '/interactions/zzz'))).toEqual(['interaction_id']);
    });

    it('answers 404 for missing/foreign interactions and for references to another network', async () => {
      const { other, otherNid, person: op, conversation: oc, interaction: oi } = await otherNetwork();
      for (const id of [randomUUID(), oi.id]) {
        await expectNoItem(`/interactions/${id}`, { content: 'y' }, 'INTERACTION_NOT_FOUND');
      }
      const post = (body: object) =>
        call('post', 1, '/interactions').send({ interaction_type: 'text', ...body });
      expect((await post({ person_id: op.id }).expect(404)).body.error_code).toBe('PERSON_NOT_FOUND');
      expect((await post({ conversation_id: oc.id }).expect(404)).body.error_code).toBe(
        'CONVERSATION_NOT_FOUND',
      );
      await call('get', 1, `/interactions?person_id=${op.id}`).expect(404);
      await call('get', 2, `/interactions?conversation_id=${oc.id}`).expect(404);
      const mine = await createInteraction({ interaction_type: 'text', content: 'mine' });
      await call('put', 1, `/interactions/${mine.id}`).send({ person_id: op.id }).expect(404);
      expect(
        (await t.http().get(`/api/v1/${otherNid}/interactions/${oi.id}`).set(other.auth)).body.content,
      ).toBe('s');
    });
  });

  it('deleting a network removes its persons, conversations, interactions and tombstones (FK cascade)', async () => {
    const { session: s, networkId: n } = await userWithNetwork(t);
    const p = (await t.http().post(`/api/v1/${n}/persons`).set(s.auth).send({ name: 'Gone' }).expect(201))
      .body;
    const c = (
      await t
        .http()
        .post(`/api/v1/${n}/conversations`)
        .set(s.auth)
        .send({ title: 'x', participants: [p.id] })
        .expect(201)
    ).body;
    await t
      .http()
      .post(`/api/v1/${n}/interactions`)
      .set(s.auth)
      .send({ person_id: p.id, conversation_id: c.id, interaction_type: 'text', content: 'bye' })
      .expect(201);
    const loose = (
      await t
        .http()
        .post(`/api/v1/${n}/interactions`)
        .set(s.auth)
        .send({ interaction_type: 'system' })
        .expect(201)
    ).body;
    await t.http().delete(`/api/v1/${n}/interactions/${loose.id}`).set(s.auth).expect(204);
    await t.http().delete(`/api/v1/networks/${n}`).set(s.auth).expect(204);
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    try {
      for (const table of [
        'persons',
        'person_counters',
        'conversations',
        'conversation_participants',
        'interactions',
        'tombstones',
      ]) {
        const res = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE network_id = $1`, [n]);
        expect({ table, rows: res.rows[0].n }).toEqual({ table, rows: 0 });
      }
    } finally {
      await db.end();
    }
  });

  it('documents every domain route in /openapi.json for v1 and v2, and never documents voice_embedding', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body;
    for (const v of ['v1', 'v2']) {
      for (const path of ['persons', 'conversations', 'interactions']) {
        const singular = path.slice(0, -1);
        expect(Object.keys(spec.paths[`/api/${v}/{network_id}/${path}`]).sort()).toEqual(['get', 'post']);
        expect(Object.keys(spec.paths[`/api/${v}/{network_id}/${path}/{${singular}_id}`]).sort()).toEqual([
          'delete',
          'get',
          'patch',
          'put',
        ]);
      }
    }
    expect(JSON.stringify(spec.components.schemas)).not.toContain('"voice_embedding"');
    expect(JSON.stringify(spec.components.schemas.PersonDto)).toContain('never returned');
  });
});
