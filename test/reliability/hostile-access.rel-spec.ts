import fc from 'fast-check';
import { WebSocket } from 'ws';
import { VoiceprintCipher } from '@mira/recognition';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import {
  createPerson,
  registerClient,
  registerUser,
  startTestApp,
  TEST_JWT_SECRET,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import { audioTestEnv } from '../support/audio.js';
import { sql } from '../support/database.js';
import { enrolVoice, toneWav } from '../support/speech.js';
import { liveAudioUrl } from '../support/live-audio-client.js';
import {
  attemptUpgrade,
  openSession,
  openSocket,
  realtimeUrl,
  type TestSocket,
} from '../support/realtime-client.js';
import { forgedForwardedForArbitrary, forgedTokenArbitrary, signRaw } from '../support/token-forge.js';

const VOICEPRINT_KEY = Buffer.alloc(32, 9);

/** Every spelling of a UUID the access check accepts: upper, lower, and mixtures. */
function spellings(id: string, count: number): string[] {
  return Array.from({ length: count }, (_, k) =>
    [...id].map((c, i) => ((i * 7 + k) % 3 === 0 ? c.toUpperCase() : c)).join(''),
  );
}

/**
 * Hostile callers with ordinary accounts, each a finding of the attack on a fresh clone: ids in another letter
 * case (undecryptable voiceprints, a rate-limit bypass), forged X-Forwarded-For chains behind the ALB, refused
 * requests (and refused socket upgrades) never counted, access tokens outliving logout and revoked sessions, operator endpoints open to all, a
 * phone reporting for another network's device, tokens with odd claims. The generators (forged tokens, forged
 * proxy chains, the OpenAPI fuzzer's re-cased ids) keep the next variant covered.
 */
describe('reliability: hostile callers', () => {
  describe('ids in another letter case', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        ...(await audioTestEnv()),
        VOICEPRINT_KEY: VOICEPRINT_KEY.toString('base64'),
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_NETWORK_READ: '6',
        TRANSCRIBER: 'none',
      });
    });
    afterAll(async () => t.close());

    it('an enrolment under an upper-case network id is encrypted for the network, and decrypts', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const personId = await createPerson(t, session.auth, networkId, 'Upper');
      const res = await enrolVoice(
        t,
        session.auth,
        networkId.toUpperCase(),
        personId.toUpperCase(),
        librispeechDevFiles('1688')[0]!,
      );
      expect(res.status).toBe(201);
      const rows = await sql<{ network_id: string; model_id: string; embedding_encrypted: Buffer }>(
        t.database,
        'SELECT network_id, model_id, embedding_encrypted FROM voiceprints WHERE person_id = $1',
        [personId],
      );
      expect(rows).toHaveLength(1);
      const cipher = new VoiceprintCipher(VOICEPRINT_KEY);
      const vector = cipher.decrypt(rows[0]!.embedding_encrypted, { networkId, modelId: rows[0]!.model_id });
      expect(vector.length).toBeGreaterThan(0);
    });

    it('mixing letter cases does not multiply a network budget', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const statuses: number[] = [];
      for (const spelling of spellings(networkId, 10)) {
        statuses.push((await t.http().get(`/api/v1/${spelling}/persons`).set(session.auth)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    });

    it('reserved stream ids (best, scores, phone) are refused in any letter case', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const device = await registerClient(t, session, networkId, 'kitchen');
      for (const streamId of ['Best', 'SCORES', 'pHone']) {
        const res = await t
          .http()
          .post(`/api/v1/${networkId}/streams/${streamId}/audio`)
          .set(device)
          .field('timestamp', new Date().toISOString())
          .attach('audio_data', toneWav(1, 0.3), 'a.wav');
        expect({ streamId, status: res.status, code: res.body.error_code }).toEqual({
          streamId,
          status: 422,
          code: 'VALIDATION_FAILED',
        });
      }
    });
  });

  describe('behind one proxy (TRUST_PROXY=1, the ALB)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_WRITE: '5' });
    });
    afterAll(async () => t.close());

    it('20 wrong passwords, each with a new forged X-Forwarded-For prefix, share the real client budget: 429', async () => {
      const forged = fc.sample(forgedForwardedForArbitrary(), { numRuns: 20, seed: 22 });
      const statuses: number[] = [];
      for (const prefix of forged) {
        const res = await t
          .http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', [...prefix, '198.51.100.7'].join(', '))
          .send({ email: 'victim@example.com', password: 'wrong password' });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
      // another real client (what the ALB appended) has its own budget
      const other = await t
        .http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', '198.51.100.7, 203.0.113.9')
        .send({ email: 'victim@example.com', password: 'wrong password' });
      expect(other.status).toBe(401);
    });
  });

  describe('refused requests count', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_READ: '5' });
    });
    afterAll(async () => t.close());

    it('bad tokens from one address are counted against it: 401 five times, then 429', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        statuses.push(
          (await t.http().get('/api/v1/networks').set('Authorization', `Bearer nope-${i}`)).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    });

    it("probing another network's ids is counted against the prober: 404 five times, then 429", async () => {
      const prober = await registerUser(t);
      const victim = await userWithNetwork(t);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await t.http().get(`/api/v1/${victim.networkId}/persons`).set(prober.auth)).status);
      }
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
      // the victim's own budget is untouched
      await t.http().get(`/api/v1/${victim.networkId}/persons`).set(victim.session.auth).expect(200);
    });
  });

  describe('refused socket upgrades count (behind one proxy)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_READ: '5' });
    });
    afterAll(async () => t.close());

    /** What the ALB appends is the address; a forged prefix per attempt buys no fresh budget. */
    const forgedPrefixes = fc.sample(forgedForwardedForArbitrary(), { numRuns: 40, seed: 7 });
    let attempt = 0;
    const from = (address: string) => ({
      'X-Forwarded-For': [...forgedPrefixes[attempt++ % forgedPrefixes.length]!, address].join(', '),
    });
    /** The close code of a socket the server opened and refused, or the status it answered instead. */
    const outcome = async (url: string, address: string): Promise<number> => {
      const result = await attemptUpgrade(url, from(address));
      return 'opened' in result ? (await result.opened.closed).code : result.refused.status;
    };

    it('realtime: bad tokens from one address close 4001 five times, then its upgrades are 429 before any token is read; other addresses are unaffected', async () => {
      const bad = realtimeUrl(t.baseUrl, { token: 'not-a-token' });
      const codes: number[] = [];
      for (let i = 0; i < 8; i++) codes.push(await outcome(bad, '198.51.100.30'));
      expect(codes).toEqual([4001, 4001, 4001, 4001, 4001, 429, 429, 429]);

      const refused = await attemptUpgrade(bad, from('198.51.100.30'));
      if (!('refused' in refused)) throw new Error('the upgrade was accepted');
      expect(refused.refused.status).toBe(429);
      expect(refused.refused.headers['content-type']).toMatch(/^application\/json/);
      expect(refused.refused.body).toEqual({
        detail: expect.stringContaining('read'),
        error_code: 'RATE_LIMITED',
        timestamp: expect.any(String),
        request_id: expect.any(String),
      });
      const retryAfter = Number(refused.refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600).toBe(true);

      // a good token from the spent address is refused too: the answer comes before the token is read
      const { session } = await userWithNetwork(t);
      const good = realtimeUrl(t.baseUrl, { token: session.accessToken, client_id: 'phone' });
      expect(await outcome(good, '198.51.100.30')).toBe(429);
      // another address still gets the socket's own refusal, and a good token from it connects
      expect(await outcome(bad, '198.51.100.31')).toBe(4001);
      const connected = await attemptUpgrade(good, from('198.51.100.32'));
      if (!('opened' in connected)) throw new Error(`refused: ${connected.refused.status}`);
      await connected.opened.waitFor((m) => m.event === 'session_ready', 'session_ready');
      await connected.opened.close();
    });

    it("live audio: another network's path closes 4404 five times, then 429; the device's own stream from another address connects", async () => {
      const home = await userWithNetwork(t);
      const stranger = await userWithNetwork(t);
      const device = (await registerClient(t, home.session, home.networkId, 'kitchen')).Authorization.slice(
        7,
      );
      const foreign = liveAudioUrl(t.baseUrl, stranger.networkId, 'kitchen', device);
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push(await outcome(foreign, '198.51.100.40'));
      expect(codes).toEqual([4404, 4404, 4404, 4404, 4404, 429, 429]);

      const own = liveAudioUrl(t.baseUrl, home.networkId, 'kitchen', device);
      expect(await outcome(own, '198.51.100.40')).toBe(429);
      expect(await outcome(liveAudioUrl(t.baseUrl, home.networkId, 'kitchen', 'nope'), '198.51.100.41')).toBe(
        4401,
      );
      const connected = await attemptUpgrade(own, from('198.51.100.42'));
      if (!('opened' in connected)) throw new Error(`refused: ${connected.refused.status}`);
      await connected.opened.waitFor((m) => m.event === 'ready', 'ready');
      await connected.opened.close();
    });

    it('refused upgrades and refused GETs from one address draw from one budget, keyed alike', async () => {
      const address = '198.51.100.50';
      for (let i = 0; i < 3; i++) {
        await t
          .http()
          .get('/api/v1/networks')
          .set('Authorization', 'Bearer nope')
          .set(from(address))
          .expect(401);
      }
      const bad = realtimeUrl(t.baseUrl, { token: 'not-a-token' });
      expect([await outcome(bad, address), await outcome(bad, address)]).toEqual([4001, 4001]);
      expect(await outcome(bad, address)).toBe(429);
      const res = await t
        .http()
        .get('/api/v1/networks')
        .set('Authorization', 'Bearer nope')
        .set(from(address));
      expect({ status: res.status, code: res.body.error_code }).toEqual({
        status: 429,
        code: 'RATE_LIMITED',
      });
    });
  });

  describe('sessions', () => {
    let t: TestApp;
    let second: TestApp;
    const sockets: TestSocket[] = [];
    const socketOf = async (app: TestApp, token: string, query: Record<string, string> = {}) => {
      const socket = await openSession(realtimeUrl(app.baseUrl, { token, ...query }));
      sockets.push(socket);
      return socket;
    };
    beforeAll(async () => {
      // a heartbeat a second: open sockets check their sign-in session on each
      t = await startTestApp({ REALTIME_HEARTBEAT_SECONDS: '1' });
      second = await startTestApp({ REALTIME_HEARTBEAT_SECONDS: '1' }, { database: t.database });
    });
    afterEach(async () => {
      await Promise.all(sockets.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await second.close();
      await t.close();
    });

    it("logout ends the session's access tokens at once, not 15 minutes later, on every door", async () => {
      const { session, networkId } = await userWithNetwork(t);
      // a user route, a network route (session and ownership read together) and the account door
      const routes = ['/api/v1/networks', `/api/v1/${networkId}/persons`, '/api/v1/persons'];
      for (const route of routes) await t.http().get(route).set(session.auth).expect(200);
      await t.http().post('/api/v1/auth/logout').send({ refresh_token: session.refreshToken }).expect(204);
      for (const route of routes) {
        const res = await t.http().get(route).set(session.auth);
        expect([route, res.status, res.body.error_code]).toEqual([route, 401, 'UNAUTHENTICATED']);
      }
    });

    it('a refresh-token replay revokes the family and every access token of it; rotation keeps them', async () => {
      const email = `replay-${Date.now()}@example.com`;
      const session = await registerUser(t, email);
      const rotated = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refresh_token: session.refreshToken })
        .expect(200);
      const fresh = { Authorization: `Bearer ${rotated.body.access_token}` };
      // the session is the same after a rotation: the first access token still works
      await t.http().get('/api/v1/networks').set(session.auth).expect(200);
      await t.http().get('/api/v1/networks').set(fresh).expect(200);
      // replaying the used refresh token (theft) ends the session
      await t.http().post('/api/v1/auth/refresh').send({ refresh_token: session.refreshToken }).expect(401);
      await t.http().get('/api/v1/networks').set(fresh).expect(401);
      await t.http().get('/api/v1/networks').set(session.auth).expect(401);
      // another session of the same user is not affected
      const login = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email, password: 'correct horse battery' })
        .expect(200);
      await t
        .http()
        .get('/api/v1/networks')
        .set('Authorization', `Bearer ${login.body.access_token}`)
        .expect(200);
    });
    it("realtime sockets live no longer than their sign-in session, on every instance; another session's stay", async () => {
      const email = `sockets-${Date.now()}@example.com`;
      const session = await registerUser(t, email);
      const other = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email, password: 'correct horse battery' })
        .expect(200);
      const here = await socketOf(t, session.accessToken, { client_id: 'phone-a' });
      const there = await socketOf(second, session.accessToken, { client_id: 'phone-b' });
      const otherSession = await socketOf(second, other.body.access_token, { client_id: 'phone-c' });
      await t.http().post('/api/v1/auth/logout').send({ refresh_token: session.refreshToken }).expect(204);
      expect(await here.closed).toEqual({ code: 4001, reason: 'session ended' });
      expect(await there.closed).toEqual({ code: 4001, reason: 'session ended' });
      // a new socket with the ended session's access token is refused at once
      const late = await openSocket(realtimeUrl(second.baseUrl, { token: session.accessToken }));
      expect((await late.closed).code).toBe(4001);
      // the same user's other session keeps its socket (heartbeats keep coming)
      const beats = otherSession.events('heartbeat').length;
      await otherSession.waitFor(
        () => otherSession.events('heartbeat').length >= beats + 2,
        'two more heartbeats on the live session',
      );
      expect(otherSession.ws.readyState).toBe(WebSocket.OPEN);
    });

    it('a refresh-token replay closes the sockets of the revoked session', async () => {
      const session = await registerUser(t);
      await t.http().post('/api/v1/auth/refresh').send({ refresh_token: session.refreshToken }).expect(200);
      const socket = await socketOf(second, session.accessToken);
      await t.http().post('/api/v1/auth/refresh').send({ refresh_token: session.refreshToken }).expect(401);
      expect(await socket.closed).toEqual({ code: 4001, reason: 'session ended' });
    });

    it('a socket opened with an upper-case network_id is the network: it hears what a lower-case route did', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const socket = await socketOf(second, session.accessToken, { network_id: networkId.toUpperCase() });
      const personId = await createPerson(t, session.auth, networkId.toUpperCase(), 'Cased');
      await socket.waitFor(
        (m) => m.event === 'person' && (m.data as { id?: string } | undefined)?.id === personId,
        'the person event',
      );
    });
  });

  describe('operator endpoints', () => {
    const production = {
      NODE_ENV: 'production',
      VOICEPRINT_KEY: VOICEPRINT_KEY.toString('base64'),
      DOCS_ENABLED: 'false',
    };

    it('in production without a token: /health answers, /health/detailed and /metrics do not exist', async () => {
      const t = await startTestApp(production);
      try {
        await t.http().get('/health').expect(200);
        for (const path of ['/health/detailed', '/metrics']) {
          const res = await t.http().get(path);
          expect({ path, status: res.status, code: res.body.error_code }).toEqual({
            path,
            status: 404,
            code: 'ROUTE_NOT_FOUND',
          });
        }
      } finally {
        await t.close();
      }
    });

    it('with METRICS_TOKEN both need it as a bearer (401 without); OPS_ENDPOINTS_PUBLIC opens them on purpose', async () => {
      const token = 'operator-token-0123456789';
      const guarded = await startTestApp({ ...production, METRICS_TOKEN: token });
      try {
        for (const path of ['/health/detailed', '/metrics']) {
          await guarded.http().get(path).expect(401);
          await guarded.http().get(path).set('Authorization', `Bearer ${token}x`).expect(401);
          await guarded.http().get(path).set('Authorization', `Bearer ${token}`).expect(200);
        }
        await guarded.http().get('/health').expect(200);
      } finally {
        await guarded.close();
      }
      const open = await startTestApp({ ...production, OPS_ENDPOINTS_PUBLIC: 'true' });
      try {
        await open.http().get('/metrics').expect(200);
        await open.http().get('/health/detailed').expect(200);
      } finally {
        await open.close();
      }
    });
  });

  describe('phone reports and token claims', () => {
    let t: TestApp;
    let home: Awaited<ReturnType<typeof userWithNetwork>>;
    let homeDevice: { Authorization: string };
    beforeAll(async () => {
      t = await startTestApp();
      home = await userWithNetwork(t);
      homeDevice = await registerClient(t, home.session, home.networkId, 'iphone');
      await registerClient(t, home.session, home.networkId, 'desktop');
      const other = await userWithNetwork(t);
      await registerClient(t, other.session, other.networkId, 'their-phone');
    });
    afterAll(async () => t.close());

    it("an RSSI report from another network's phone, or an unknown one, is 404; the network's own phone works", async () => {
      const rssi = `/api/v1/${home.networkId}/streams/phone/rssi`;
      for (const phone of ['their-phone', 'nobody']) {
        const res = await t
          .http()
          .post(rssi)
          .set(homeDevice)
          .send({ phone_client_id: phone, target_client_id: 'desktop', rssi: -40 });
        expect({ phone, status: res.status, code: res.body.error_code }).toEqual({
          phone,
          status: 404,
          code: 'CLIENT_NOT_FOUND',
        });
      }
      await t
        .http()
        .post(rssi)
        .set(homeDevice)
        .send({ phone_client_id: 'iphone', target_client_id: 'desktop', rssi: -40 })
        .expect(200);
    });

    it('a token whose subject is not a UUID is 401 (not 400); one without an expiry is 401 (not accepted)', async () => {
      const claims = JSON.parse(Buffer.from(home.session.accessToken.split('.')[1]!, 'base64url').toString());
      const notUuid = signRaw({ ...claims, sub: 'not-a-uuid' }, TEST_JWT_SECRET);
      const { exp: _exp, ...rest } = claims;
      const noExpiry = signRaw(rest, TEST_JWT_SECRET);
      for (const token of [notUuid, noExpiry]) {
        const res = await t.http().get('/api/v1/networks').set('Authorization', `Bearer ${token}`);
        expect([res.status, res.body.error_code]).toEqual([401, 'UNAUTHENTICATED']);
      }
    });

    it('property: tokens signed with the real key but odd claims are 401 on every kind of secured route', async () => {
      const claims = JSON.parse(Buffer.from(home.session.accessToken.split('.')[1]!, 'base64url').toString());
      const ended = await registerUser(t);
      const endedClaims = JSON.parse(Buffer.from(ended.accessToken.split('.')[1]!, 'base64url').toString());
      await t.http().post('/api/v1/auth/logout').send({ refresh_token: ended.refreshToken }).expect(204);
      const routes = ['/api/v1/networks', `/api/v1/${home.networkId}/persons`, '/api/v1/auth/me'];
      const kinds: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(
          forgedTokenArbitrary(TEST_JWT_SECRET, claims, endedClaims),
          fc.constantFrom(...routes),
          async ({ kind, token }, route) => {
            const res = await t.http().get(route).set('Authorization', `Bearer ${token}`);
            kinds[`${kind} ${res.status}`] = (kinds[`${kind} ${res.status}`] ?? 0) + 1;
            return res.status === 401 && res.body.error_code === 'UNAUTHENTICATED';
          },
        ),
        { numRuns: 120 },
      );
      process.stderr.write(`[forged tokens] ${JSON.stringify(kinds)}\n`);
    });
  });
});
