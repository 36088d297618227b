import type { NestExpressApplication } from '@nestjs/platform-express';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { InteractionCounts1763803600000 } from '../../migrations/1763803600000-interaction-counts.js';
import { InteractionTypeCounts1763803800000 } from '../../migrations/1763803800000-interaction-type-counts.js';
import { startPgliteApp, startTestApp, type EmbeddedApp, type TestApp } from '../support/app.js';

/**
 * The totals and interaction counts the API answers (v2 list totals, persons' and conversations'
 * interaction_count and last_interaction_at, totals per interaction_type) stay exact through every way an interaction appears, moves or goes:
 * creates (also concurrent), updates that move it between persons, conversations and types, deletes (also repeated), a
 * person merge, a person delete, a conversation delete, the backfill of an existing database and a network delete.
 * Each figure is compared with a count of the rows themselves.
 */
interface Target {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
}

type Auth = Record<string, string>;

async function register(target: Target, email: string): Promise<{ auth: Auth; nid: string }> {
  const reg = await target
    .http()
    .post('/api/v1/auth/register')
    .send({ email, password: 'correct horse battery' })
    .expect(201);
  const auth = { Authorization: `Bearer ${reg.body.access_token}` };
  const nid = (await target.http().post('/api/v1/networks').set(auth).send({ name: 'Home' }).expect(201)).body
    .id as string;
  return { auth, nid };
}

/** Every figure the API answers about how many interactions there are, against the rows themselves. */
async function expectExactCounts(target: Target, auth: Auth, nid: string): Promise<void> {
  const db = target.app.get(DataSource);
  const rows = (await db.query(
    `SELECT person_id, conversation_id, interaction_type, occurred_at FROM interactions WHERE network_id = $1`,
    [nid],
  )) as {
    person_id: string | null;
    conversation_id: string | null;
    interaction_type: string;
    occurred_at: Date | string;
  }[];
  const get = async (path: string) =>
    (await target.http().get(`/api/v2/${nid}${path}`).set(auth).expect(200)).body;
  const latest = (selected: typeof rows) =>
    selected.length === 0
      ? null
      : new Date(Math.max(...selected.map((r) => new Date(r.occurred_at).getTime()))).toISOString();

  expect({ network: (await get('/interactions?limit=1')).total }).toEqual({ network: rows.length });
  for (const order of ['asc', 'desc']) {
    expect((await get(`/interactions?limit=1&offset=1&order=${order}`)).total).toBe(rows.length);
  }
  for (const type of ['audio', 'text', 'system']) {
    const listed = await get(`/interactions?interaction_type=${type}&limit=1`);
    expect({ type, total: listed.total }).toEqual({
      type,
      total: rows.filter((r) => r.interaction_type === type).length,
    });
  }
  const persons = (await get('/persons?limit=100')).items as {
    id: string;
    interaction_count: number;
    last_interaction_at: string | null;
  }[];
  for (const person of persons) {
    const own = rows.filter((r) => r.person_id === person.id);
    const expected = { person: person.id, count: own.length, last: latest(own) };
    expect({ person: person.id, count: person.interaction_count, last: person.last_interaction_at }).toEqual(
      expected,
    );
    const listed = await get(`/interactions?person_id=${person.id}&limit=1`);
    expect({ person: person.id, total: listed.total }).toEqual({ person: person.id, total: own.length });
  }
  const conversations = (await get('/conversations?limit=100')).items as {
    id: string;
    interaction_count: number;
    last_interaction_at: string | null;
  }[];
  for (const conversation of conversations) {
    const own = rows.filter((r) => r.conversation_id === conversation.id);
    const expected = { conversation: conversation.id, count: own.length, last: latest(own) };
    expect({
      conversation: conversation.id,
      count: conversation.interaction_count,
      last: conversation.last_interaction_at,
    }).toEqual(expected);
    const listed = await get(`/interactions?conversation_id=${conversation.id}&limit=1`);
    expect({ conversation: conversation.id, total: listed.total }).toEqual({
      conversation: conversation.id,
      total: own.length,
    });
  }
  // Filters no counter answers are counted.
  const both = rows.filter((r) => r.person_id && r.conversation_id);
  if (both[0]) {
    const { person_id, conversation_id } = both[0];
    const listed = await get(`/interactions?person_id=${person_id}&conversation_id=${conversation_id}`);
    expect(listed.total).toBe(
      rows.filter((r) => r.person_id === person_id && r.conversation_id === conversation_id).length,
    );
  }
}

/** Persons, conversations and interactions moved, merged and deleted, checking every figure after each step. */
async function exerciseCounts(target: Target, email: string): Promise<{ auth: Auth; nid: string }> {
  const { auth, nid } = await register(target, email);
  const api = (path: string) => `/api/v1/${nid}${path}`;
  const post = async (path: string, body: object) =>
    (await target.http().post(api(path)).set(auth).send(body).expect(201)).body;
  const check = () => expectExactCounts(target, auth, nid);
  const say = (body: object) => post('/interactions', { interaction_type: 'text', content: 'hi', ...body });

  const [a, b, c] = [await post('/persons', {}), await post('/persons', {}), await post('/persons', {})];
  const x = await post('/conversations', { title: 'x', participants: [a.id] });
  const y = await post('/conversations', { title: 'y', participants: [b.id] });
  await check();

  const said: { id: string }[] = [];
  for (let i = 0; i < 3; i += 1) said.push(await say({ person_id: a.id, conversation_id: x.id }));
  for (let i = 0; i < 2; i += 1) said.push(await say({ person_id: b.id, conversation_id: y.id }));
  said.push(await say({ person_id: a.id, interaction_type: 'audio' }));
  said.push(await say({ conversation_id: x.id }));
  said.push(await say({ interaction_type: 'system' }));
  for (let i = 0; i < 2; i += 1) said.push(await say({ person_id: c.id, conversation_id: y.id }));
  await check();

  // Moves between persons and conversations, detaching, and an update that moves nothing.
  await target
    .http()
    .patch(api(`/interactions/${said[0]!.id}`))
    .set(auth)
    .send({ person_id: b.id, conversation_id: y.id })
    .expect(200);
  await target
    .http()
    .patch(api(`/interactions/${said[1]!.id}`))
    .set(auth)
    .send({ person_id: null })
    .expect(200);
  await target
    .http()
    .put(api(`/interactions/${said[6]!.id}`))
    .set(auth)
    .send({ conversation_id: null, person_id: c.id })
    .expect(200);
  await target
    .http()
    .patch(api(`/interactions/${said[3]!.id}`))
    .set(auth)
    .send({ content: 'x' })
    .expect(200);
  await target
    .http()
    .patch(api(`/interactions/${said[2]!.id}`))
    .set(auth)
    .send({ interaction_type: 'audio', person_id: c.id })
    .expect(200);
  await target
    .http()
    .patch(api(`/interactions/${said[7]!.id}`))
    .set(auth)
    .send({ interaction_type: 'system' })
    .expect(200);
  await check();

  // A delete counts once, also when repeated.
  await target
    .http()
    .delete(api(`/interactions/${said[4]!.id}`))
    .set(auth)
    .expect(204);
  await target
    .http()
    .delete(api(`/interactions/${said[4]!.id}`))
    .set(auth)
    .expect(204);
  await check();

  // Concurrent creates into the same counters.
  const concurrent = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      target
        .http()
        .post(api('/interactions'))
        .set(auth)
        .send({
          interaction_type: i % 3 ? 'text' : 'audio',
          person_id: i % 2 ? a.id : b.id,
          conversation_id: x.id,
        }),
    ),
  );
  expect(concurrent.map((r) => r.status)).toEqual(Array(12).fill(201));
  await check();

  // Merge: c's interactions become b's; c is gone.
  await target
    .http()
    .post(api(`/persons/${b.id}/merge`))
    .set(auth)
    .send({ source_person_id: c.id })
    .expect(200);
  await check();

  // A person delete keeps their interactions, unattributed.
  await target
    .http()
    .delete(api(`/persons/${a.id}`))
    .set(auth)
    .expect(204);
  await check();

  // A conversation delete takes its interactions.
  await target
    .http()
    .delete(api(`/conversations/${x.id}`))
    .set(auth)
    .expect(204);
  await check();
  return { auth, nid };
}

describe('interaction counts on PostgreSQL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stay exact through creates, moves, deletes, a merge, a person delete and a conversation delete', async () => {
    await exerciseCounts(t, 'counts-pg@example.com');
  });

  it('are backfilled from the existing interactions when the migration runs on a populated database', async () => {
    const { auth, nid } = await exerciseCounts(t, 'counts-backfill@example.com');
    const runner = t.app.get(DataSource).createQueryRunner();
    const counts = new InteractionCounts1763803600000();
    const typeCounts = new InteractionTypeCounts1763803800000();
    try {
      await runner.startTransaction();
      await typeCounts.down(runner);
      await counts.down(runner);
      await counts.up(runner);
      await typeCounts.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await expectExactCounts(t, auth, nid);
  });

  it("deleting a network removes its counters and leaves another network's exact", async () => {
    const kept = await exerciseCounts(t, 'counts-kept@example.com');
    const gone = await exerciseCounts(t, 'counts-gone@example.com');
    await t.http().delete(`/api/v1/networks/${gone.nid}`).set(gone.auth).expect(204);
    const left = (await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM interaction_counts WHERE network_id = $1`, [gone.nid])) as {
      n: number;
    }[];
    expect(left[0]!.n).toBe(0);
    await expectExactCounts(t, kept.auth, kept.nid);
  });
});

describe('interaction counts on embedded PGlite', () => {
  let embedded: EmbeddedApp | undefined;

  beforeAll(async () => {
    embedded = await startPgliteApp('mira-pglite-counts-');
  });

  afterAll(async () => {
    await embedded?.close();
  });

  it('stay exact through creates, moves, deletes, a merge, a person delete and a conversation delete', async () => {
    await exerciseCounts(embedded!, 'counts-pglite@example.com');
  });
});
