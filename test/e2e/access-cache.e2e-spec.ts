import { createHash } from 'node:crypto';
import { AccessCache, encodeWav16 } from '@mira/core';
import {
  createNetwork,
  registerClient,
  registerUser,
  startTestApp,
  userWithNetwork,
  type Session,
  type TestApp,
} from '../support/app.js';
import { sql, withoutAccessNotices } from '../support/database.js';
import { waitFor } from '../support/wait.js';

/**
 * Two instances on one database, each keeping access answers for an hour (far longer than any wait here): whatever
 * takes access away on one instance, or in the database itself, is refused on the other because the answer was
 * dropped, not because it aged out.
 */
describe('access cache across instances (two apps, one PostgreSQL database)', () => {
  let first: TestApp;
  let second: TestApp;
  const env = { ACCESS_CACHE_SECONDS: '60' };

  beforeAll(async () => {
    first = await startTestApp(env);
    second = await startTestApp(env, { database: first.database });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  const sessionOf = (session: Session): string =>
    (
      JSON.parse(Buffer.from(session.accessToken.split('.')[1] as string, 'base64url').toString()) as {
        sid: string;
      }
    ).sid;
  const list = (app: TestApp, session: Session, networkId: string) =>
    app.http().get(`/api/v1/${networkId}/interactions?limit=1`).set(session.auth);
  const cacheOf = (app: TestApp) => app.app.get(AccessCache);
  /** Until the instance answers this user's requests on this network from its cache (its LISTEN is up by then). */
  const cached = (app: TestApp, session: Session, networkId: string) =>
    waitFor(
      async () => {
        expect((await list(app, session, networkId)).status).toBe(200);
        return cacheOf(app).allows(session.userId, sessionOf(session), networkId);
      },
      { what: 'access kept in the cache', timeoutMs: 60_000 },
    );
  const dropped = (app: TestApp, session: Session, networkId: string) =>
    waitFor(() => !cacheOf(app).allows(session.userId, sessionOf(session), networkId), {
      what: 'access dropped from the cache',
      timeoutMs: 60_000,
    });

  it('keeps access answers on PostgreSQL (the instances below would otherwise prove nothing)', async () => {
    const owner = await userWithNetwork(first);
    await cached(first, owner.session, owner.networkId);
    await cached(second, owner.session, owner.networkId);
  });

  it('refuses on the other instance, and right away on its own, a session signed out on one', async () => {
    const owner = await userWithNetwork(first);
    await cached(first, owner.session, owner.networkId);
    await cached(second, owner.session, owner.networkId);
    await first
      .http()
      .post('/api/v1/auth/logout')
      .send({ refresh_token: owner.session.refreshToken })
      .expect(204);
    // the instance that signed out answers without waiting for any notice
    expect((await list(first, owner.session, owner.networkId)).status).toBe(401);
    await dropped(second, owner.session, owner.networkId);
    expect((await list(second, owner.session, owner.networkId)).status).toBe(401);
  });

  it('refuses a user deactivated in the database (no API involved) on both instances', async () => {
    const owner = await userWithNetwork(first);
    await cached(first, owner.session, owner.networkId);
    await cached(second, owner.session, owner.networkId);
    await sql(first.database, 'UPDATE users SET is_active = false WHERE id = $1', [owner.session.userId]);
    for (const app of [first, second]) {
      await dropped(app, owner.session, owner.networkId);
      expect((await list(app, owner.session, owner.networkId)).status).toBe(401);
    }
  });

  it('answers 404 to the previous owner of a network given to another user, on both instances', async () => {
    const owner = await userWithNetwork(first);
    const heir = await registerUser(first);
    await cached(first, owner.session, owner.networkId);
    await cached(second, owner.session, owner.networkId);
    await sql(first.database, 'UPDATE networks SET owner_id = $1 WHERE id = $2', [
      heir.userId,
      owner.networkId,
    ]);
    for (const app of [first, second]) {
      await dropped(app, owner.session, owner.networkId);
      expect((await list(app, owner.session, owner.networkId)).status).toBe(404);
      expect((await list(app, heir, owner.networkId)).status).toBe(200);
    }
  });

  it('answers 404 on the other instance for a network deleted on one', async () => {
    const owner = await userWithNetwork(first);
    const kept = await createNetwork(first, owner.session, 'Kept');
    await cached(second, owner.session, owner.networkId);
    await cached(second, owner.session, kept);
    await first.http().delete(`/api/v1/networks/${owner.networkId}`).set(owner.session.auth).expect(204);
    await dropped(second, owner.session, owner.networkId);
    expect((await list(second, owner.session, owner.networkId)).status).toBe(404);
    // only that network's answers went
    expect(cacheOf(second).allows(owner.session.userId, sessionOf(owner.session), kept)).toBe(true);
  });

  it('refuses on the other instance an account deleted on one', async () => {
    const owner = await userWithNetwork(first);
    await cached(second, owner.session, owner.networkId);
    await first.http().delete('/api/v1/auth/me').set(owner.session.auth).expect(204);
    await dropped(second, owner.session, owner.networkId);
    expect((await list(second, owner.session, owner.networkId)).status).toBe(401);
  });

  /** A device of a new network, its token kept by both instances (a device may read its network's streams). */
  const deviceOnBoth = async () => {
    const owner = await userWithNetwork(first);
    const device = await registerClient(first, owner.session, owner.networkId, 'box');
    const hash = createHash('sha256').update(device.Authorization.slice('Bearer '.length)).digest('hex');
    const scores = (app: TestApp) => app.http().get(`/api/v1/${owner.networkId}/streams/scores`).set(device);
    for (const app of [first, second])
      await waitFor(
        async () => {
          expect((await scores(app)).status).toBe(200);
          return cacheOf(app).client(hash) !== undefined;
        },
        { what: 'device token kept in the cache', timeoutMs: 60_000 },
      );
    const forgotten = (app: TestApp) =>
      waitFor(() => cacheOf(app).client(hash) === undefined, {
        what: 'device token dropped from the cache',
        timeoutMs: 60_000,
      });
    return { ...owner, device, hash, scores, forgotten };
  };

  it('refuses on the other instance, and right away on its own, a device token revoked on one', async () => {
    const { session, networkId, scores, forgotten } = await deviceOnBoth();
    await first
      .http()
      .delete(`/api/v1/${networkId}/service/client/deregister/box`)
      .set(session.auth)
      .expect(200);
    expect((await scores(first)).status).toBe(401);
    await forgotten(second);
    expect((await scores(second)).status).toBe(401);
  });

  // The instance that deleted the account also forgets at commit, before its own notice comes back; that window is
  // milliseconds, so this checks what a device sees on both instances, not which of the two dropped the token first.
  it("refuses an account's device tokens on both instances once the account is deleted", async () => {
    const { session, scores, forgotten } = await deviceOnBoth();
    await first.http().delete('/api/v1/auth/me').set(session.auth).expect(204);
    expect((await scores(first)).status).toBe(401);
    await forgotten(second);
    expect((await scores(second)).status).toBe(401);
  });

  // With the database's notices on, the deleting instance hears its own notice within milliseconds, so nothing tells
  // whether it dropped what it kept itself; with them off, only its own drop stands between the old tokens and the
  // rest of the cache's minute.
  it('the instance that deletes an account or a network refuses their tokens at once, without waiting for a notice', async () => {
    const account = await deviceOnBoth();
    const network = await deviceOnBoth();
    for (const kept of [account, network]) await cached(first, kept.session, kept.networkId);
    await withoutAccessNotices(first.database, async () => {
      await first.http().delete('/api/v1/auth/me').set(account.session.auth).expect(204);
      expect((await list(first, account.session, account.networkId)).status).toBe(401);
      expect((await account.scores(first)).status).toBe(401);
      await first
        .http()
        .delete(`/api/v1/networks/${network.networkId}`)
        .set(network.session.auth)
        .expect(204);
      expect((await list(first, network.session, network.networkId)).status).toBe(404);
      expect((await network.scores(first)).status).toBe(401);
    });
  });

  it('refuses on both instances a device revoked or renamed in the database (no API involved)', async () => {
    const revoked = await deviceOnBoth();
    await sql(first.database, 'UPDATE clients SET revoked_at = now() WHERE network_id = $1', [
      revoked.networkId,
    ]);
    for (const app of [first, second]) {
      await revoked.forgotten(app);
      expect((await revoked.scores(app)).status).toBe(401);
    }
    const renamed = await deviceOnBoth();
    await sql(first.database, "UPDATE clients SET client_id = 'other' WHERE network_id = $1", [
      renamed.networkId,
    ]);
    for (const app of [first, second]) await renamed.forgotten(app);
    // a last_seen_at write does not drop the device (it is written every 30 s by design): a notice sent after it
    // is heard, and the device is still kept
    const seen = await deviceOnBoth();
    await cached(second, seen.session, seen.networkId);
    await sql(first.database, 'UPDATE clients SET last_seen_at = now() WHERE network_id = $1', [
      seen.networkId,
    ]);
    await sql(first.database, 'SELECT pg_notify($1, $2)', ['mira_access', `u:${seen.session.userId}`]);
    await dropped(second, seen.session, seen.networkId);
    expect(cacheOf(second).client(seen.hash)).toBeDefined();
  });

  it("answers 503 on the other instance once a network's service is switched off on one, and 2xx once on again", async () => {
    const { session, networkId, device } = await deviceOnBoth();
    const upload = (app: TestApp) =>
      app
        .http()
        .post(`/api/v1/${networkId}/streams/box/audio`)
        .set(device)
        .field('timestamp', String(Date.now()))
        .attach('audio_data', encodeWav16(new Float32Array(16_000), 16_000), 'a.wav');
    for (const app of [first, second]) {
      await upload(app).expect(200);
      await waitFor(() => cacheOf(app).serviceEnabled(networkId) === true, {
        what: 'service switch kept in the cache',
        timeoutMs: 60_000,
      });
    }
    await first.http().patch(`/api/v1/${networkId}/service/disable`).set(session.auth).expect(200);
    expect(cacheOf(first).serviceEnabled(networkId)).toBeUndefined();
    await waitFor(() => cacheOf(second).serviceEnabled(networkId) !== true, {
      what: 'service switch dropped',
      timeoutMs: 60_000,
    });
    await upload(second).expect(503);
    await sql(first.database, 'UPDATE networks SET service_enabled = true WHERE id = $1', [networkId]);
    await waitFor(() => cacheOf(second).serviceEnabled(networkId) !== false, {
      what: 'service switch dropped',
      timeoutMs: 60_000,
    });
    await upload(second).expect(200);
  });

  it('serves nothing it kept before its LISTEN connection was lost (fail closed), and keeps again after', async () => {
    const owner = await userWithNetwork(first);
    await cached(second, owner.session, owner.networkId);
    const listeners = async () =>
      (
        await sql<{ pid: number }>(
          first.database,
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'mira-realtime-listener' AND datname = current_database()`,
        )
      ).map((row) => row.pid);
    const before = await listeners();
    await sql(first.database, 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    // gone from the moment the loss is seen until a new connection listens, and not back from before
    await dropped(second, owner.session, owner.networkId);
    await cached(second, owner.session, owner.networkId);
    expect((await listeners()).some((pid) => before.includes(pid))).toBe(false);
  });
});
