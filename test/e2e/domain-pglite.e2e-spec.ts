import type request from 'supertest';
import { startPgliteApp, type EmbeddedApp } from '../support/app.js';
import { openSession, realtimeUrl } from '../support/realtime-client.js';

/**
 * The embedded mode (no DATABASE_URL, PGlite) runs the domain API too: migrations, concurrent
 * "Person N" allocation and the delete transactions with their hooks (which must not deadlock the single session).
 */
describe('domain API on embedded PGlite', () => {
  let embedded: EmbeddedApp | undefined;
  let http: () => ReturnType<typeof request>;
  let baseUrl: string;

  beforeAll(async () => {
    embedded = await startPgliteApp('mira-pglite-domain-');
    ({ http, baseUrl } = embedded);
    // PGlite is PostgreSQL compiled to WebAssembly on this thread: starting it and applying every migration is
    // tens of seconds of CPU at load 15, over the default 60 s bound.
  }, 180_000);

  afterAll(async () => {
    await embedded?.close();
  }, 120_000);

  it('creates persons concurrently, deletes a person and a conversation with their documented effects', async () => {
    const reg = await http()
      .post('/api/v1/auth/register')
      .send({ email: 'pglite@example.com', password: 'correct horse battery' })
      .expect(201);
    const auth = { Authorization: `Bearer ${reg.body.access_token}` };
    const nid = (await http().post('/api/v1/networks').set(auth).send({ name: 'Home' }).expect(201)).body.id;
    const api = (path: string) => `/api/v1/${nid}${path}`;

    const created = await Promise.all(
      Array.from({ length: 6 }, () => http().post(api('/persons')).set(auth).send({})),
    );
    expect(created.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(created.map((r) => r.body.index).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const [p1, p2] = created.map((r) => r.body.id as string);

    const conv = (
      await http()
        .post(api('/conversations'))
        .set(auth)
        .send({ title: 'Chat', participants: [p1, p2] })
        .expect(201)
    ).body;
    const said = (
      await http()
        .post(api('/interactions'))
        .set(auth)
        .send({ person_id: p1, conversation_id: conv.id, content: 'hello', interaction_type: 'audio' })
        .expect(201)
    ).body;
    const loose = (
      await http()
        .post(api('/interactions'))
        .set(auth)
        .send({ person_id: p1, interaction_type: 'text' })
        .expect(201)
    ).body;

    await http()
      .delete(api(`/persons/${p1}`))
      .set(auth)
      .expect(204);
    await http()
      .delete(api(`/persons/${p1}`))
      .set(auth)
      .expect(204);
    const kept = (
      await http()
        .get(api(`/interactions/${loose.id}`))
        .set(auth)
        .expect(200)
    ).body;
    expect(kept).toMatchObject({
      person_id: null,
      metadata: { deleted_person: { id: p1, index: expect.any(Number) } },
    });
    expect(
      (
        await http()
          .get(api(`/conversations/${conv.id}`))
          .set(auth)
      ).body.participants,
    ).toEqual([p2]);

    await http()
      .delete(api(`/conversations/${conv.id}`))
      .set(auth)
      .expect(204);
    await http()
      .get(api(`/interactions/${said.id}`))
      .set(auth)
      .expect(404);
    await http()
      .delete(api(`/interactions/${said.id}`))
      .set(auth)
      .expect(204);
    const v2 = await http().get(`/api/v2/${nid}/interactions`).set(auth).expect(200);
    expect(v2.body).toMatchObject({ total: 1, items: [{ id: loose.id }] });
    // ~20 requests, each a few statements on the single-threaded embedded database
  }, 180_000);

  it("pushes to the apps' socket through in-process notices (one process owns the database)", async () => {
    const reg = await http()
      .post('/api/v1/auth/register')
      .send({ email: 'pglite-socket@example.com', password: 'correct horse battery' })
      .expect(201);
    const token = reg.body.access_token as string;
    const socket = await openSession(realtimeUrl(baseUrl, { token, client_id: 'embedded' }));
    // the socket gave the account its network
    const networks = await http()
      .get('/api/v1/networks')
      .set({ Authorization: `Bearer ${token}` })
      .expect(200);
    const networkId = (networks.body as Array<{ id: string }>)[0]!.id;
    const person = await http()
      .post(`/api/v1/${networkId}/persons`)
      .set({ Authorization: `Bearer ${token}` })
      .send({ name: 'Grace' })
      .expect(201);
    const event = await socket.waitFor((m) => m.event === 'person', 'person event');
    expect(event.data).toMatchObject({ id: person.body.id, name: 'Grace', network_id: networkId });
    await socket.close();
  }, 180_000);
});
