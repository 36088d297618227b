import { DataSource } from 'typeorm';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import {
  createNetwork,
  createPerson,
  registerClient,
  registerUser,
  seedConversation,
  Session,
  startTestApp,
  TestApp,
} from '../support/app.js';
import { openSession, realtimeUrl } from '../support/realtime-client.js';
import { enrolVoice, readAudio, streamUtterance } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Every row of every table of the schema, as text (read from information_schema: later tables are included). */
async function everyRow(db: DataSource): Promise<Array<{ table: string; text: string }>> {
  const tables = (await db.query(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  )) as { table_name: string }[];
  const rows: Array<{ table: string; text: string }> = [];
  for (const { table_name: table } of tables) {
    const found = (await db.query(`SELECT x::text AS text FROM "${table}" x`)) as { text: string }[];
    for (const row of found) rows.push({ table, text: row.text.toLowerCase() });
  }
  return rows;
}

/**
 * DELETE /auth/me: the account, its networks and everything in them go in one transaction, tokens and sockets stop
 * working, and one audit row without personal data stays. "Nothing remains" is checked generically: every id found
 * in any row that belonged to the account (in every table the schema has) appears in no row afterwards, nor does
 * its e-mail, while another account's rows are untouched.
 */
describe('account deletion', () => {
  let t: TestApp;
  const db = () => t.app.get(DataSource);
  const [speech, speech2] = librispeechDevFiles('1998');

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      // counters shared in the database are keyed by the account's user, networks and devices
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_STORE: 'postgres',
    });
  }, 180_000);
  afterAll(async () => t?.close());

  /** An account with something in every corner: networks, devices, persons, voiceprints, audio, jobs, … */
  async function fullAccount(label: string) {
    const email = `${label}-${Date.now()}@example.com`;
    const session = await registerUser(t, email);
    const home = await createNetwork(t, session, 'Home');
    const office = await createNetwork(t, session, 'Office');
    const device = await registerClient(t, session, home, 'kitchen');
    await registerClient(t, session, office, 'desk');
    const alice = await createPerson(t, session.auth, home, 'Alice');
    await enrolVoice(t, session.auth, home, alice, speech!).expect(201);
    const bob = await createPerson(t, session.auth, home, 'Bob');
    await t.http().delete(`/api/v1/${home}/persons/${bob}`).set(session.auth).expect(204); // a tombstone
    const { conversation, said } = await seedConversation(t, session.auth, home, {
      title: 'Plans',
      person: alice,
      content: 'remind me to call the plumber tomorrow at 3pm',
    });
    const inference = await t
      .http()
      .post(`/api/v1/${home}/interactions/${said}/inference`)
      .set(session.auth)
      .expect(201);
    expect(inference.body.action).toBeTruthy();
    // closed, the conversation becomes a memory (offline here: the line kept as a fact)
    await t
      .http()
      .patch(`/api/v1/${home}/conversations/${conversation}`)
      .set(session.auth)
      .send({ is_active: false })
      .expect(200);
    await waitFor(
      async () =>
        ((await db().query(`SELECT 1 FROM memories WHERE network_id = $1`, [home])) as unknown[]).length > 0,
      { what: 'the conversation’s memory', timeoutMs: 60_000 },
    );
    await streamUtterance(t, device, home, 'kitchen-mic', readAudio(speech2!), new Date());
    await waitFor(
      async () =>
        (
          (await db().query(
            `SELECT 1 FROM interactions WHERE network_id = $1 AND source_chunk_id IS NOT NULL`,
            [home],
          )) as unknown[]
        ).length > 0,
      { what: 'the streamed utterance to become an interaction', timeoutMs: 120_000 },
    );
    await db().query(`INSERT INTO user_identities (provider, subject, user_id) VALUES ('google', $1, $2)`, [
      `sub-${label}-${Date.now()}`,
      session.userId,
    ]);
    return { email, session, home, office, device };
  }

  const rowsNaming = (rows: Array<{ table: string; text: string }>, needles: string[]) =>
    rows.filter((row) => needles.some((needle) => row.text.includes(needle)));

  it('deletes everything of the account, closes its sockets, ends its tokens and keeps one anonymous audit row', async () => {
    const gone = await fullAccount('gone');
    const kept = await fullAccount('kept');
    const userSocket = await openSession(
      realtimeUrl(t.baseUrl, { token: gone.session.accessToken, client_id: 'app' }),
    );
    const deviceSocket = await openSession(
      realtimeUrl(t.baseUrl, { token: gone.device.Authorization.slice('Bearer '.length) }),
    );
    const keptSocket = await openSession(
      realtimeUrl(t.baseUrl, { token: kept.session.accessToken, client_id: 'x' }),
    );

    // What belonged to the account: its user id, its networks, and every id in a row that names one of them.
    const before = await everyRow(db());
    const roots = [gone.session.userId, gone.home, gone.office];
    const owned = rowsNaming(before, roots);
    const ids = new Set(owned.flatMap((row) => row.text.match(UUID) ?? []));
    const keptRoots = [kept.session.userId, kept.home, kept.office];
    for (const id of keptRoots) ids.delete(id);
    const tablesWithAccountRows = new Set(owned.map((row) => row.table));
    // the check below means something only if the account really was spread over the schema
    for (const table of [
      'users',
      'refresh_tokens',
      'user_identities',
      'networks',
      'clients',
      'persons',
      'voiceprints',
      'conversations',
      'interactions',
      'actions',
      'memories',
      'stream_chunks',
      'jobs',
      'tombstones',
      'audit_log',
      'rate_limit_counters',
    ]) {
      expect({ table, present: tablesWithAccountRows.has(table) }).toEqual({ table, present: true });
    }
    // rows are compared by count per table: the other account's jobs keep running meanwhile and change their rows
    const perTable = (rows: Array<{ table: string }>) =>
      rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.table]: (acc[r.table] ?? 0) + 1 }), {});
    const keptBefore = perTable(
      rowsNaming(before, keptRoots).filter((r) => r.table !== 'rate_limit_counters'),
    );
    const auditBefore = Number((await db().query(`SELECT count(*)::int AS n FROM audit_log`))[0].n);

    await t.http().delete('/api/v1/auth/me').set(gone.session.auth).expect(204);

    const after = await everyRow(db());
    const leftovers = rowsNaming(after, [...ids, gone.email.toLowerCase()]);
    expect(leftovers).toEqual([]);
    // the other account keeps every row it had
    expect(perTable(rowsNaming(after, keptRoots).filter((r) => r.table !== 'rate_limit_counters'))).toEqual(
      keptBefore,
    );

    // one audit row: counts, no id, no address
    const audit = (await db().query(
      `SELECT network_id, actor_kind, actor_id, action, target_type, target_id, details, request_id
       FROM audit_log WHERE action = 'account.deleted'`,
    )) as Array<Record<string, unknown> & { details: { deleted: Record<string, number> } }>;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      network_id: null,
      actor_id: null,
      target_type: 'account',
      target_id: null,
      request_id: expect.any(String),
    });
    expect(audit[0]!.details.deleted).toMatchObject({
      users: 1,
      networks: 2,
      clients: 3, // kitchen, desk, and "app": a name first seen on a user's socket becomes a device
      persons: expect.any(Number),
      voiceprints: expect.any(Number),
      interactions: 2,
      actions: 1,
      memories: 1,
    });
    expect(
      rowsNaming([{ table: 'audit_log', text: JSON.stringify(audit[0]) }], [...ids, gone.email]),
    ).toEqual([]);
    expect(Number((await db().query(`SELECT count(*)::int AS n FROM audit_log`))[0].n)).toBeLessThan(
      auditBefore,
    );

    // tokens end at once; sockets of the account close with 4001 on the spot, others stay
    await t.http().get('/api/v1/auth/me').set(gone.session.auth).expect(401);
    await t
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: gone.session.refreshToken })
      .expect(401);
    await t.http().get(`/api/v1/${gone.home}/service/info`).set(gone.device).expect(401);
    expect((await userSocket.closed).code).toBe(4001);
    expect((await deviceSocket.closed).code).toBe(4001);
    expect(keptSocket.ws.readyState).toBe(keptSocket.ws.OPEN);
    await t.http().delete('/api/v1/auth/me').set(gone.session.auth).expect(401);
    await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: gone.email, password: 'correct horse battery' })
      .expect(401);
    await keptSocket.close();

    // the address is free again, for a new and empty account
    const again: Session = await registerUser(t, gone.email);
    expect(again.userId).not.toBe(gone.session.userId);
    expect((await t.http().get('/api/v1/networks').set(again.auth).expect(200)).body).toEqual([]);
    // The bound covers the waits inside (a memory within 60 s, the streamed utterance within 120 s) and the audio
    // work between them (a voice enrolment, an utterance), which take minutes at load 15, not the default 60 s.
  }, 360_000);

  it('deletes an account that owns nothing yet, and refuses a device token', async () => {
    const bare = await registerUser(t);
    await t.http().delete('/api/v2/auth/me').set(bare.auth).expect(204);
    await t.http().get('/api/v2/auth/me').set(bare.auth).expect(401);

    const owner = await registerUser(t);
    const network = await createNetwork(t, owner);
    const device = await registerClient(t, owner, network, 'hall');
    await t.http().delete('/api/v1/auth/me').set(device).expect(403);
    await t.http().get('/api/v1/auth/me').set(owner.auth).expect(200);
  });
});
