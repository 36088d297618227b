import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { WebSocket } from 'ws';
import { RealtimePublisher, TokenService } from '@mira/core';
import { InteractionService } from '@mira/interaction';
import { RealtimeRegistry } from '@mira/realtime';
import {
  createPerson,
  registerClient,
  startTestApp,
  TEST_JWT_SECRET,
  TestApp,
  userWithNetwork,
  Session,
} from '../support/app.js';
import {
  openSession,
  openSocket,
  realtimeUrl,
  RealtimeMessage,
  TestSocket,
} from '../support/realtime-client.js';
import { waitFor } from '../support/wait.js';

type Account = { session: Session; networkId: string };

/** The apps' socket over real HTTP upgrades with a real `ws` client, on a real PostgreSQL database. */
describe('realtime socket', () => {
  let t: TestApp;
  let second: TestApp;
  const sockets: TestSocket[] = [];

  const open = async (url: string) => {
    const socket = await openSession(url);
    sockets.push(socket);
    return socket;
  };
  const userSocket = (
    app: TestApp,
    who: Account,
    clientId = `client-${randomUUID().slice(0, 8)}`,
    v: 1 | 2 = 1,
  ) => open(realtimeUrl(app.baseUrl, { token: who.session.accessToken, client_id: clientId }, v));
  const refused = async (query: Record<string, string>) => {
    const socket = await openSocket(realtimeUrl(t.baseUrl, query));
    return socket.closed;
  };
  const withId = (event: string, id: string) => (m: RealtimeMessage) =>
    m.event === event && (m.data as { id?: string } | undefined)?.id === id;

  beforeAll(async () => {
    const env = {
      REALTIME_HEARTBEAT_SECONDS: '1',
      REALTIME_MAX_SOCKETS_PER_NETWORK: '3',
      REALTIME_SEND_BUFFER_BYTES: '65536',
      REALTIME_SESSION_TTL_SECONDS: '10',
    };
    t = await startTestApp(env);
    // the second instance keeps the default heartbeat (25 s): its slow-consumer test must not meet the dead-peer cut
    second = await startTestApp({ ...env, REALTIME_HEARTBEAT_SECONDS: '25' }, { database: t.database });
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('refuses a missing, forged, expired or revoked token with 4001 and a malformed client_id with 1008', async () => {
    const owner = await userWithNetwork(t);
    const device = await registerClient(t, owner.session, owner.networkId, 'kitchen');
    const deviceToken = device.Authorization.replace('Bearer ', '');
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/service/client/deregister/kitchen`)
      .set(owner.session.auth)
      .expect(200);
    const expired = jwt.sign(
      { typ: 'access', sub: owner.session.userId, exp: Math.floor(Date.now() / 1000) - 60 },
      TEST_JWT_SECRET,
      { algorithm: 'HS256', issuer: 'mira', jwtid: randomUUID() },
    );
    const forged = jwt.sign({ typ: 'access' }, 'another-secret-that-is-long-enough-for-hs256', {
      algorithm: 'HS256',
      issuer: 'mira',
      subject: owner.session.userId,
      expiresIn: 300,
    });
    expect(await refused({ client_id: 'a' })).toEqual({ code: 4001, reason: 'missing token' });
    expect(await refused({ token: 'garbage', client_id: 'a' })).toMatchObject({ code: 4001 });
    expect(await refused({ token: forged, client_id: 'a' })).toMatchObject({ code: 4001 });
    expect(await refused({ token: expired, client_id: 'a' })).toEqual({
      code: 4001,
      reason: 'Access token expired',
    });
    expect(await refused({ token: deviceToken })).toEqual({
      code: 4001,
      reason: 'Unknown or revoked client token',
    });
    expect(await refused({ token: owner.session.accessToken, client_id: 'a/b' })).toMatchObject({
      code: 1008,
    });
    expect(await refused({ token: owner.session.accessToken, network_id: 'nope' })).toMatchObject({
      code: 1008,
    });
    // a network the user does not own (the socket's X-Network-Id): 4003, like the 404 of the account door
    const stranger = await userWithNetwork(t);
    expect(
      await refused({ token: owner.session.accessToken, client_id: 'a', network_id: stranger.networkId }),
    ).toEqual({ code: 4003, reason: 'network not found' });
    // a path that is not the socket's is not upgraded
    await expect(
      openSocket(`${t.baseUrl.replace('http', 'ws')}/api/v3/realtime/ws?token=x`),
    ).rejects.toThrow();
  });

  it('documents the socket in OpenAPI; a plain HTTP GET of its path is a 426 with the usual error body', async () => {
    for (const version of [1, 2]) {
      const res = await t.http().get(`/api/v${version}/realtime/ws?token=x`).expect(426);
      expect(res.headers.upgrade).toBe('websocket');
      expect(res.body).toMatchObject({
        error_code: 'REALTIME_UPGRADE_REQUIRED',
        detail: expect.any(String),
        request_id: expect.any(String),
      });
    }
    const spec = (await t.http().get('/openapi.json').expect(200)).body;
    const operation = spec.paths['/api/v1/realtime/ws'].get;
    expect(operation.tags).toEqual(['realtime']);
    for (const word of ['session_ready', 'service_status', 'interaction', '4001', '1012', '1013']) {
      expect(operation.description).toContain(word);
    }
  });

  it('says session_ready (top level, as dadei reads it, and in data) and then the service status', async () => {
    const owner = await userWithNetwork(t);
    for (const version of [1, 2] as const) {
      const socket = await userSocket(t, owner, `client-v${version}`, version);
      const ready = socket.messages[0]!;
      expect(ready).toMatchObject({
        event: 'session_ready',
        client_id: `client-v${version}`,
        session_id: expect.any(String),
        session_token: expect.any(String),
        expires_in_seconds: 10,
      });
      expect(ready.data).toEqual({
        client_id: ready.client_id,
        session_id: ready.session_id,
        session_token: ready.session_token,
        expires_in_seconds: 10,
      });
      // what the upload route verifies: this session, this device, this network
      const verified = t.app.get(TokenService).verifySessionToken(ready.session_token as string);
      expect(verified).toEqual({
        ok: true,
        claims: { networkId: owner.networkId, clientId: `client-v${version}`, sessionId: ready.session_id },
      });
      // neither token can stand in for the other
      expect(t.app.get(TokenService).verifyAccessToken(ready.session_token as string).ok).toBe(false);
      expect(t.app.get(TokenService).verifySessionToken(owner.session.accessToken).ok).toBe(false);
      const status = await socket.waitFor((m) => m.event === 'service_status', 'service_status');
      // a new account's network is enabled
      expect(status).toEqual({ event: 'service_status', enabled: true, data: { enabled: true } });
    }
  });

  it("makes a client id first seen on a user's socket a device of the account; a device token speaks for itself", async () => {
    const owner = await userWithNetwork(t);
    await (await userSocket(t, owner, 'client-1a2b3c4d')).close();
    const info = await t
      .http()
      .get(`/api/v1/${owner.networkId}/service/info`)
      .set(owner.session.auth)
      .expect(200);
    expect(info.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['client-1a2b3c4d']);
    // the same id again (a reconnect) is the same device
    await (await userSocket(t, owner, 'client-1a2b3c4d')).close();
    const again = await t
      .http()
      .get(`/api/v1/${owner.networkId}/service/info`)
      .set(owner.session.auth)
      .expect(200);
    expect(again.body.client_count).toBe(1);

    // a name as people type it is a device name too
    await (await userSocket(t, owner, "Ada's laptop")).close();
    // no client_id: the server names the device (client1, client2, …) and says so in session_ready
    const unnamed = await open(realtimeUrl(t.baseUrl, { token: owner.session.accessToken }));
    expect(unnamed.messages[0]).toMatchObject({ event: 'session_ready', client_id: 'client1' });
    const names = await t
      .http()
      .get(`/api/v1/${owner.networkId}/service/info`)
      .set(owner.session.auth)
      .expect(200);
    expect(names.body.clients.map((c: { client_id: string }) => c.client_id).sort()).toEqual(
      ["Ada's laptop", 'client-1a2b3c4d', 'client1'].sort(),
    );

    const device = await registerClient(t, owner.session, owner.networkId, 'kitchen');
    const socket = await open(
      realtimeUrl(t.baseUrl, { token: device.Authorization.replace('Bearer ', ''), client_id: 'other' }),
    );
    expect(socket.messages[0]).toMatchObject({ event: 'session_ready', client_id: 'kitchen' });
  });

  it("closes a device token's sockets (4001) when the device is deregistered, on every instance", async () => {
    const owner = await userWithNetwork(t);
    const device = await registerClient(t, owner.session, owner.networkId, 'hall');
    const token = device.Authorization.replace('Bearer ', '');
    const here = await open(realtimeUrl(t.baseUrl, { token }));
    const there = await open(realtimeUrl(second.baseUrl, { token }));
    const userSide = await userSocket(t, owner, 'hall');
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/service/client/deregister/hall`)
      .set(owner.session.auth)
      .expect(200);
    expect(await here.closed).toEqual({ code: 4001, reason: 'device revoked' });
    expect(await there.closed).toEqual({ code: 4001, reason: 'device revoked' });
    // a socket of the account's user that named the same device is the user's: it stays
    expect(userSide.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('renews the session_token before it runs out: a fresh session_ready on the same session', async () => {
    const owner = await userWithNetwork(t);
    const socket = await userSocket(t, owner, 'long-lived');
    const first = socket.messages[0]!;
    // REALTIME_SESSION_TTL_SECONDS=10 here: renewed at the last heartbeat before the last tenth of its life
    const renewed = await socket.waitFor(
      (m) => m.event === 'session_ready' && m.session_token !== first.session_token,
      'a renewed session_ready',
    );
    expect(renewed).toMatchObject({
      session_id: first.session_id,
      client_id: 'long-lived',
      expires_in_seconds: 10,
    });
    const tokens = t.app.get(TokenService);
    const verified = tokens.verifySessionToken(renewed.session_token as string);
    expect(verified).toMatchObject({
      ok: true,
      claims: { sessionId: first.session_id, clientId: 'long-lived' },
    });
    const expiry = (token: string) => (jwt.decode(token) as { exp: number }).exp;
    expect(expiry(renewed.session_token as string)).toBeGreaterThan(expiry(first.session_token as string));
  });

  it('answers {"type":"ping"} with a pong and sends heartbeats to a silent client', async () => {
    const owner = await userWithNetwork(t);
    const socket = await userSocket(t, owner);
    socket.ws.send(JSON.stringify({ type: 'ping' }));
    await socket.waitFor((m) => m.event === 'pong', 'pong');
    // REALTIME_HEARTBEAT_SECONDS=1 here: a client that sends nothing still hears from the server
    await waitFor(() => socket.events('heartbeat').length >= 2, { what: 'two heartbeats' });
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('cuts a peer that answers no ping frame (dead connection)', async () => {
    const owner = await userWithNetwork(t);
    const socket = await openSocket(
      realtimeUrl(t.baseUrl, { token: owner.session.accessToken, client_id: 'silent' }),
      { autoPong: false },
    );
    sockets.push(socket);
    const closed = await socket.closed;
    expect(closed.code).toBe(1006); // terminated: no closing handshake with a dead peer
    expect(socket.events('heartbeat').length).toBeGreaterThanOrEqual(1);
  });

  it('sends every event type to the sockets of its network and never to another network', async () => {
    const owner = await userWithNetwork(t);
    const stranger = await userWithNetwork(t);
    const mine = await userSocket(t, owner);
    const mineV2 = await userSocket(t, owner, 'client-beta', 2);
    const theirs = await userSocket(t, stranger);
    const api = (path: string) => `/api/v1/${owner.networkId}${path}`;

    // service_status: top-level `enabled`, as both apps read it
    await t.http().patch(api('/service/disable')).set(owner.session.auth).expect(200);
    for (const socket of [mine, mineV2]) {
      await socket.waitFor((m) => m.event === 'service_status' && m.enabled === false, 'disabled');
    }

    // person: created and renamed
    const personId = await createPerson(t, owner.session.auth, owner.networkId);
    await mine.waitFor(withId('person', personId), 'person created');
    await t
      .http()
      .patch(api(`/persons/${personId}`))
      .set(owner.session.auth)
      .send({ name: 'Ada' })
      .expect(200);
    const renamed = await mine.waitFor(
      (m) => withId('person', personId)(m) && m.data?.name === 'Ada',
      'rename',
    );
    // the person as GET /persons/{id} returns it (the fields the apps read, and Mira's beside them)
    expect(renamed.data).toMatchObject({
      id: personId,
      name: 'Ada',
      index: expect.any(Number),
      network_id: owner.networkId,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });

    // conversation: opened, updated, closed
    const conversation = await t
      .http()
      .post(api('/conversations'))
      .set(owner.session.auth)
      .send({ title: 'Plans', participants: [personId] })
      .expect(201);
    const conversationId = conversation.body.id as string;
    await mine.waitFor(withId('conversation', conversationId), 'conversation opened');
    await t
      .http()
      .patch(api(`/conversations/${conversationId}`))
      .set(owner.session.auth)
      .send({ topic_summary: 'Dinner', is_active: false })
      .expect(200);
    const closed = await mine.waitFor(
      (m) => withId('conversation', conversationId)(m) && m.data?.is_active === false,
      'conversation closed',
    );
    expect(closed.data).toMatchObject({
      id: conversationId,
      started_at: expect.any(String),
      topic_summary: 'Dinner',
      context_summary: null,
      is_active: false,
    });

    // interaction: created, then its text and its person changed
    const created = await t
      .http()
      .post(api('/interactions'))
      .set(owner.session.auth)
      .send({ interaction_type: 'text', content: 'Remind me to call mom', conversation_id: conversationId })
      .expect(201);
    const interactionId = created.body.id as string;
    const first = await mine.waitFor(withId('interaction', interactionId), 'interaction created');
    expect(first.data).toMatchObject({
      id: interactionId,
      text: 'Remind me to call mom',
      timestamp: expect.any(String),
      network_id: owner.networkId,
      person_id: null,
      conversation_id: conversationId,
      sentiment: null,
    });
    await t
      .http()
      .patch(api(`/interactions/${interactionId}`))
      .set(owner.session.auth)
      .send({ person_id: personId, content: 'Remind me to call mom at 6 pm' })
      .expect(200);
    await mine.waitFor(
      (m) => withId('interaction', interactionId)(m) && m.data?.person_id === personId,
      'interaction changed',
    );

    // action: inferred (offline rules), then confirmed
    const inferred = await t
      .http()
      .post(api(`/interactions/${interactionId}/inference`))
      .set(owner.session.auth)
      .expect(201);
    const actionId = inferred.body.action.id as string;
    const action = await mine.waitFor(withId('action', actionId), 'action');
    expect(action.data).toMatchObject({
      id: actionId,
      action_type: 'remind',
      status: 'pending',
      details: expect.any(String),
      interaction_id: interactionId,
      network_id: owner.networkId,
    });
    await t
      .http()
      .patch(api(`/actions/${actionId}`))
      .set(owner.session.auth)
      .send({ status: 'confirmed' })
      .expect(200);
    await mine.waitFor((m) => withId('action', actionId)(m) && m.data?.status === 'confirmed', 'confirmed');
    await mineV2.waitFor((m) => withId('action', actionId)(m) && m.data?.status === 'confirmed', 'v2 too');

    // the stranger's socket: a marker of its own arrives, nothing of the owner's ever did
    await t
      .http()
      .patch(`/api/v1/${stranger.networkId}/service/disable`)
      .set(stranger.session.auth)
      .expect(200);
    await theirs.waitFor((m) => m.event === 'service_status' && m.enabled === false, 'own marker');
    const leaked = theirs.messages.filter((m) =>
      [personId, conversationId, interactionId, actionId].includes((m.data as { id?: string })?.id ?? ''),
    );
    expect(leaked).toEqual([]);
    expect(theirs.events('service_status').map((m) => m.enabled)).toEqual([true, false]);
  });

  it('an interaction still being processed is not announced; it is once the pipeline is done with it', async () => {
    // The apps keep the first event of an id and ignore later ones: the first must carry text and conversation.
    const owner = await userWithNetwork(t);
    const socket = await userSocket(t, owner);
    const publisher = t.app.get(RealtimePublisher);
    const interactions = t.app.get(InteractionService);
    const row = (await interactions.recordUtterance(
      owner.networkId,
      { interaction_type: 'audio', content: null },
      { processingStatus: 'processing', transcriptionStatus: 'pending', sourceChunkId: randomUUID() },
    ))!;
    await interactions.applySystemChanges(owner.networkId, row.id, { content: 'half way' });
    await interactions.applySystemChanges(owner.networkId, row.id, {
      content: 'all done',
      transcriptionStatus: 'transcribed',
      processingStatus: 'done',
    });
    const event = await socket.waitFor(withId('interaction', row.id), 'settled interaction');
    expect(event.data?.text).toBe('all done');
    // a marker after it: still only the one event for that id
    await publisher.publish(owner.networkId, 'service_status', { enabled: true });
    await socket.waitFor((m) => m.event === 'service_status' && m.enabled === true, 'marker');
    expect(socket.messages.filter(withId('interaction', row.id))).toHaveLength(1);
  });

  it('reaches a socket held by another instance on the same database (NOTIFY/LISTEN)', async () => {
    const owner = await userWithNetwork(t);
    const onSecond = await userSocket(second, owner);
    await t.http().patch(`/api/v1/${owner.networkId}/service/enable`).set(owner.session.auth).expect(200);
    await onSecond.waitFor(
      (m) => m.event === 'service_status' && m.enabled === true,
      'status via instance 1',
    );
    const created = await t
      .http()
      .post(`/api/v1/${owner.networkId}/interactions`)
      .set(owner.session.auth)
      .send({ interaction_type: 'text', content: 'heard on the other instance' })
      .expect(201);
    const event = await onSecond.waitFor(
      withId('interaction', created.body.id),
      'interaction via instance 1',
    );
    expect(event.data?.text).toBe('heard on the other instance');
  });

  it('reopens a lost LISTEN connection: events flow again after the database dropped it', async () => {
    const owner = await userWithNetwork(t);
    const onSecond = await userSocket(second, owner);
    const db = second.app.get(DataSource);
    const listener = async () =>
      (
        (await db.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'mira-realtime-listener' AND datname = current_database()`,
        )) as Array<{ pid: number }>
      ).map((r) => r.pid);
    const before = await listener();
    expect(before).toHaveLength(2); // one per instance
    // what a failover or an idle-connection reaper does to it
    await db.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    // healthy again means the new connection's LISTEN has completed, on both instances
    const listening = async (app: TestApp) =>
      (await app.http().get('/health/detailed')).body.checks.realtime.status === 'healthy';
    await waitFor(
      async () => {
        const now = await listener();
        const renewed = now.length === 2 && now.every((pid) => !before.includes(pid));
        return renewed && (await listening(t)) && (await listening(second));
      },
      { what: 'both instances listening again', timeoutMs: 30_000 },
    );
    const created = await t
      .http()
      .post(`/api/v1/${owner.networkId}/interactions`)
      .set(owner.session.auth)
      .send({ interaction_type: 'text', content: 'after the reconnect' })
      .expect(201);
    await onSecond.waitFor(withId('interaction', created.body.id), 'interaction after the reconnect');
  });

  it('caps sockets per account (1013, the apps retry later) without touching other accounts', async () => {
    const owner = await userWithNetwork(t);
    const other = await userWithNetwork(t);
    for (let i = 0; i < 3; i++) await userSocket(t, owner, `client-${i}`);
    const fourth = await openSocket(
      realtimeUrl(t.baseUrl, { token: owner.session.accessToken, client_id: 'client-3' }),
    );
    expect(await fourth.closed).toEqual({
      code: 1013,
      reason: 'too many realtime connections for this account',
    });
    await userSocket(t, other);
    // a slot freed is a slot again
    await sockets.find((s) => s.messages[0]?.client_id === 'client-0')!.close();
    await waitFor(
      async () => {
        const retry = await openSocket(
          realtimeUrl(t.baseUrl, { token: owner.session.accessToken, client_id: 'client-3' }),
        );
        sockets.push(retry);
        const outcome = await Promise.race([
          retry.waitFor((m) => m.event === 'session_ready', 'ready').then(() => 'ready' as const),
          retry.closed.then(() => 'closed' as const),
        ]);
        return outcome === 'ready';
      },
      { what: 'a socket admitted after one closed' },
    );
  });

  it('closes a socket that does not read (1013) instead of queueing without bound; others keep up', async () => {
    const owner = await userWithNetwork(t);
    const slow = await userSocket(second, owner, 'slow');
    const fast = await userSocket(second, owner, 'fast');
    const text = 'x'.repeat(20_000);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await t
        .http()
        .post(`/api/v1/${owner.networkId}/interactions`)
        .set(owner.session.auth)
        .send({ interaction_type: 'text', content: text })
        .expect(201);
      ids.push(res.body.id);
    }
    // The slow client stops reading its TCP socket: what the server writes piles up in the kernel, then in ws.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const registry = second.app.get(RealtimeRegistry);
    const slowGone = () => !registry.connections().some((c) => c.clientId === 'slow');
    const publisher = second.app.get(RealtimePublisher);
    let published = 0;
    let maxBuffered = 0;
    while (!slowGone() && published < 20_000) {
      await publisher.publish(owner.networkId, 'interaction', { id: ids[published % ids.length]! });
      published += 1;
      const held = registry.connections().find((c) => c.clientId === 'slow');
      if (held) maxBuffered = Math.max(maxBuffered, held.ws.bufferedAmount);
    }
    expect(slowGone()).toBe(true);
    // what the server held for it in user space stayed within REALTIME_SEND_BUFFER_BYTES
    expect(maxBuffered).toBeLessThanOrEqual(65_536);
    // once it reads again it finds what was already on its way, then the close (the apps reconnect after 1013)
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.closed).toEqual({ code: 1013, reason: 'too slow: reconnect and list again' });
    // later events still reach the socket that reads, and no longer the one that was cut
    const before = fast.events('interaction').length;
    for (const id of ids) await publisher.publish(owner.networkId, 'interaction', { id });
    await waitFor(() => fast.events('interaction').length >= before + ids.length, { what: 'later events' });
    expect(slow.events('interaction').length).toBeLessThan(fast.events('interaction').length);
    expect(fast.ws.readyState).toBe(WebSocket.OPEN);
  });
});
