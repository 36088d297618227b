import { OAuth2Server } from 'oauth2-mock-server';
import { DataSource } from 'typeorm';
import { registerUser, startTestApp, TestApp } from '../support/app.js';
import { FakeGitHub } from '../support/fake-github.js';

const GOOGLE_CLIENT = 'mira-web-client.apps.example';
const GOOGLE_DESKTOP_CLIENT = 'mira-desktop-client.apps.example';
const SPA = 'https://app.example.com';
const PUBLIC = 'http://mira.test';

type Claims = Record<string, unknown>;

/**
 * Sign-in with Google and GitHub as the shipped apps call it, against real providers at the wire: Google is
 * oauth2-mock-server (a real OpenID Connect provider: discovery, authorize, token endpoint, JWKS, RS256 ID tokens),
 * GitHub is a local server speaking GitHub's OAuth web flow and /user, /user/emails. Mira is the real server over
 * HTTP; every redirect is followed by hand, as a browser (or the apps' sign-in window) would.
 */
describe('sign-in with Google and GitHub', () => {
  let t: TestApp;
  let google: OAuth2Server;
  let github: FakeGitHub;
  /** What the next ID tokens say about the person (and what tests change to break them). */
  let claims: (payload: Claims) => void;

  beforeAll(async () => {
    google = new OAuth2Server();
    await google.issuer.keys.generate('RS256');
    await google.start(0, '127.0.0.1');
    google.service.on('beforeTokenSigning', (token: { payload: Claims }) => claims(token.payload));
    github = await FakeGitHub.start();
    t = await startTestApp({
      GOOGLE_ISSUER: google.issuer.url!,
      GOOGLE_CLIENT_ID: GOOGLE_CLIENT,
      GOOGLE_CLIENT_SECRET: 'web-secret',
      GOOGLE_DESKTOP_CLIENT_ID: GOOGLE_DESKTOP_CLIENT,
      GOOGLE_DESKTOP_CLIENT_SECRET: 'desktop-secret',
      ...github.env(),
      PUBLIC_BASE_URL: PUBLIC,
      OAUTH_SPA_ORIGINS: `${SPA},http://localhost:5173`,
      OAUTH_REDIRECT_PORTS: '4280,4281',
    });
  });

  afterAll(async () => {
    await t?.close();
    await google?.stop();
    await github?.close();
  });

  let person = 0;
  /** A Google person with a verified address, unless a test says otherwise. */
  const googlePerson = (overrides: Claims = {}) => {
    person += 1;
    const identity = {
      sub: `google-${person}-${Date.now()}`,
      email: `g${person}-${Date.now()}@gmail.example`,
    };
    claims = (payload) => Object.assign(payload, identity, { email_verified: true }, overrides);
    return identity;
  };

  /** What the provider's authorize endpoint answers for this sign-in URL (as after the person approved). */
  const approve = async (url: string): Promise<URL> => {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  };

  const desktopGoogle = async (port = 4280) => {
    const res = await t.http().get(`/api/v1/auth/google/url?redirect_port=${port}`).expect(200);
    const caught = await approve(res.body.url as string);
    return { started: res.body as { url: string; state: string }, caught };
  };

  const finishDesktop = (code: string, state: string) =>
    t.http().post('/api/v1/auth/google/callback').send({ code, state });

  const me = (token: string) =>
    t
      .http()
      .get('/api/v1/auth/me')
      .set({ Authorization: `Bearer ${token}` });

  const usersWithEmail = async (email: string) =>
    ((await t.app.get(DataSource).query(`SELECT id FROM users WHERE email = $1`, [email])) as unknown[])
      .length;

  describe('Google, desktop flow (desktop-app and dadei Electron)', () => {
    it('signs a new person in: PKCE, state and nonce in the URL, tokens for the caught code, no password', async () => {
      const who = googlePerson();
      const { started, caught } = await desktopGoogle();
      const url = new URL(started.url);
      expect(url.origin + url.pathname).toBe(`${google.issuer.url}/authorize`);
      expect(url.searchParams.get('client_id')).toBe(GOOGLE_DESKTOP_CLIENT);
      expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:4280/auth/google/callback');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('nonce')).toBeTruthy();
      expect(url.searchParams.get('state')).toBe(started.state);
      expect(caught.origin + caught.pathname).toBe('http://127.0.0.1:4280/auth/google/callback');

      const res = await finishDesktop(
        caught.searchParams.get('code')!,
        caught.searchParams.get('state')!,
      ).expect(200);
      expect(res.body).toMatchObject({
        token_type: 'bearer',
        user: { email: who.email, has_password: false },
      });
      const profile = await me(res.body.access_token as string).expect(200);
      expect(profile.body).toMatchObject({ email: who.email, has_password: false });
      // and the account has no password to sign in with
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: who.email, password: 'anything at all' })
        .expect(401);
    });

    it('signs the same person in to the same account next time (by the provider identity)', async () => {
      const who = googlePerson();
      const first = await desktopGoogle();
      const a = await finishDesktop(first.caught.searchParams.get('code')!, first.started.state).expect(200);
      claims = (payload) => Object.assign(payload, who, { email_verified: true });
      const second = await desktopGoogle();
      const b = await finishDesktop(second.caught.searchParams.get('code')!, second.started.state).expect(
        200,
      );
      expect(b.body.user.id).toBe(a.body.user.id);
      expect(await usersWithEmail(who.email)).toBe(1);
    });

    it('refuses a replayed code and state (the state is single use)', async () => {
      googlePerson();
      const { caught } = await desktopGoogle();
      const code = caught.searchParams.get('code')!;
      const state = caught.searchParams.get('state')!;
      await finishDesktop(code, state).expect(200);
      const replay = await finishDesktop(code, state).expect(400);
      expect(replay.body.error_code).toBe('INVALID_SIGN_IN_STATE');
    });

    it('refuses a forged state, and a state of another flow', async () => {
      googlePerson();
      const { caught } = await desktopGoogle();
      const forged = await finishDesktop(caught.searchParams.get('code')!, 'forged-state-value').expect(400);
      expect(forged.body.error_code).toBe('INVALID_SIGN_IN_STATE');
      // a GitHub flow's state is not a Google flow's
      const gh = await t.http().get('/api/v1/auth/github/url?redirect_port=4280').expect(200);
      await finishDesktop(caught.searchParams.get('code')!, gh.body.state as string).expect(400);
      // the genuine state still works once
      await finishDesktop(caught.searchParams.get('code')!, caught.searchParams.get('state')!).expect(200);
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, () => Claims]>([
      ['for another audience', () => ({ aud: 'some-other-client.apps.example' })],
      ['that expired', () => ({ iat: now() - 7200, exp: now() - 3600 })],
      ['from another issuer', () => ({ iss: 'https://accounts.evil.example' })],
      ['with another nonce', () => ({ nonce: 'not-the-flows-nonce' })],
    ])('refuses an ID token %s: no account is made', async (_, broken) => {
      const who = googlePerson(broken());
      const { caught } = await desktopGoogle();
      const code = caught.searchParams.get('code')!;
      const res = await finishDesktop(code, caught.searchParams.get('state')!).expect(401);
      expect(res.body.error_code).toBe('SIGN_IN_REJECTED');
      expect(await usersWithEmail(who.email)).toBe(0);
    });

    it('refuses an ID token whose payload was changed after signing (JWKS signature check)', async () => {
      const victim = `victim-${Date.now()}@gmail.example`;
      googlePerson();
      const tamper = (response: { body: Record<string, unknown> }) => {
        const [header, payload, signature] = String(response.body['id_token']).split('.');
        const claimsIn = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Claims;
        const forged = Buffer.from(JSON.stringify({ ...claimsIn, email: victim })).toString('base64url');
        response.body['id_token'] = `${header}.${forged}.${signature}`;
      };
      google.service.once('beforeResponse', tamper);
      const { caught } = await desktopGoogle();
      const res = await finishDesktop(caught.searchParams.get('code')!, caught.searchParams.get('state')!);
      expect(res.status).toBe(401);
      expect(await usersWithEmail(victim)).toBe(0);
    });

    it('refuses an e-mail Google did not verify: no account is made or linked', async () => {
      const owner = await registerUser(t);
      const ownerEmail = ((await me(owner.accessToken).expect(200)).body as { email: string }).email;
      googlePerson({ email: ownerEmail, email_verified: false });
      const { caught } = await desktopGoogle();
      const res = await finishDesktop(
        caught.searchParams.get('code')!,
        caught.searchParams.get('state')!,
      ).expect(403);
      expect(res.body.error_code).toBe('EMAIL_NOT_VERIFIED');
      // the password account is untouched: it still signs in and keeps its session
      await me(owner.accessToken).expect(200);
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: ownerEmail, password: 'correct horse battery' })
        .expect(200);
    });

    it('links a verified e-mail to the existing account, whose password and sessions then end', async () => {
      const owner = await registerUser(t);
      const email = ((await me(owner.accessToken).expect(200)).body as { email: string }).email;
      googlePerson({ email });
      const { caught } = await desktopGoogle();
      const res = await finishDesktop(
        caught.searchParams.get('code')!,
        caught.searchParams.get('state')!,
      ).expect(200);
      expect(res.body.user.id).toBe(owner.userId);
      expect(res.body.user.has_password).toBe(false);
      await t.http().post('/api/v1/auth/refresh').send({ refresh_token: owner.refreshToken }).expect(401);
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email, password: 'correct horse battery' })
        .expect(401);
    });

    it('refuses a redirect port that is not allowed, before asking the provider', async () => {
      for (const port of ['9999', '80', 'abc', '-1']) {
        const res = await t.http().get(`/api/v1/auth/google/url?redirect_port=${port}`).expect(422);
        expect(res.body.error_code).toMatch(/REDIRECT_PORT_NOT_ALLOWED|VALIDATION_FAILED/);
      }
      await t.http().get('/api/v1/auth/google/url').expect(422);
      const other = await t.http().get('/api/v2/auth/google/url?redirect_port=4281').expect(200);
      expect(new URL(other.body.url as string).searchParams.get('redirect_uri')).toBe(
        'http://127.0.0.1:4281/auth/google/callback',
      );
    });
  });

  describe('Google, web flow (dadei in a browser)', () => {
    const webLogin = (query: string) => t.http().get(`/api/v1/auth/google/web/login?${query}`);
    /** The browser's path from Mira to Google and back to Mira's callback; answers Mira's final redirect. */
    const browse = async (query: string) => {
      const start = await webLogin(query).expect(302);
      expect(start.headers['cache-control']).toBe('no-store');
      const back = await approve(start.headers.location as string);
      expect(back.origin + back.pathname).toBe(`${PUBLIC}/api/v1/auth/google/web/callback`);
      const done = await t
        .http()
        .get(back.pathname + back.search)
        .expect(302);
      expect(done.headers['referrer-policy']).toBe('no-referrer');
      return { callback: back, landing: new URL(done.headers.location as string) };
    };

    it('returns to the SPA with the token pair and next', async () => {
      const who = googlePerson();
      const { landing } = await browse(`next=%2Fassistant&spa_origin=${encodeURIComponent(SPA)}`);
      expect(landing.origin + landing.pathname).toBe(`${SPA}/auth/callback`);
      expect(landing.searchParams.get('next')).toBe('/assistant');
      const access = landing.searchParams.get('access_token')!;
      expect(landing.searchParams.get('refresh_token')).toMatch(/^mira_rt_/);
      expect((await me(access).expect(200)).body.email).toBe(who.email);
    });

    it('uses the web client and returns to another listed origin; drops a next that leaves the SPA', async () => {
      googlePerson();
      const start = await webLogin(
        `next=${encodeURIComponent('//evil.example/x')}&spa_origin=http://localhost:5173`,
      ).expect(302);
      expect(new URL(start.headers.location as string).searchParams.get('client_id')).toBe(GOOGLE_CLIENT);
      const back = await approve(start.headers.location as string);
      const done = await t
        .http()
        .get(back.pathname + back.search)
        .expect(302);
      const landing = new URL(done.headers.location as string);
      expect(landing.origin).toBe('http://localhost:5173');
      expect(landing.searchParams.has('next')).toBe(false);
      expect(landing.searchParams.get('access_token')).toBeTruthy();
    });

    it('refuses an origin that is not listed (no open redirect), whatever its disguise', async () => {
      for (const origin of [
        'https://evil.example',
        'https://app.example.com.evil.example',
        'https://app.example.com@evil.example',
        'https://app.example.com/evil',
        'javascript:alert(1)',
      ]) {
        const res = await webLogin(`spa_origin=${encodeURIComponent(origin)}`).expect(400);
        expect(res.body.error_code).toBe('SPA_ORIGIN_NOT_ALLOWED');
        expect(res.headers.location).toBeUndefined();
      }
    });

    it('sends a refusal at the provider, an unverified e-mail and a replayed callback back as errors', async () => {
      googlePerson();
      const start = await webLogin(`spa_origin=${encodeURIComponent(SPA)}`).expect(302);
      const state = new URL(start.headers.location as string).searchParams.get('state')!;
      const refused = await t
        .http()
        .get(`/api/v1/auth/google/web/callback?error=access_denied&state=${encodeURIComponent(state)}`)
        .expect(302);
      const refusal = new URL(refused.headers.location as string);
      expect(refusal.origin).toBe(SPA);
      expect(refusal.searchParams.get('error')).toBe('access_denied');
      expect(refusal.searchParams.get('error_description')).toBeTruthy();
      expect(refusal.searchParams.has('access_token')).toBe(false);

      googlePerson({ email_verified: false });
      const unverified = await browse(`spa_origin=${encodeURIComponent(SPA)}`);
      expect(unverified.landing.searchParams.get('error')).toBe('email_not_verified');
      expect(unverified.landing.searchParams.has('access_token')).toBe(false);

      googlePerson();
      const ok = await browse(`spa_origin=${encodeURIComponent(SPA)}`);
      expect(ok.landing.searchParams.get('access_token')).toBeTruthy();
      const replay = await t
        .http()
        .get(ok.callback.pathname + ok.callback.search)
        .expect(302);
      const replayed = new URL(replay.headers.location as string);
      expect(replayed.origin).toBe(SPA);
      expect(replayed.searchParams.get('error')).toBe('invalid_sign_in_state');
      expect(replayed.searchParams.has('access_token')).toBe(false);
    });

    it('answers a forged state at the callback with an error at the first listed origin', async () => {
      const res = await t.http().get('/api/v1/auth/google/web/callback?code=abc&state=forged').expect(302);
      const landing = new URL(res.headers.location as string);
      expect(landing.origin).toBe(SPA);
      expect(landing.searchParams.get('error')).toBe('invalid_sign_in_state');
    });
  });

  describe('GitHub, desktop flow (desktop-app)', () => {
    let gh = 0;
    const githubPerson = (emails?: FakeGitHub['user']['emails']) => {
      gh += 1;
      github.user = {
        id: 5000 + gh,
        login: `octo${gh}`,
        emails: emails ?? [
          {
            email: `octo${gh}-${Date.now()}@users.example`,
            primary: true,
            verified: true,
            visibility: 'private',
          },
        ],
      };
      return github.user;
    };
    /** desktop-app's window: open the URL, follow GitHub to Mira's callback, catch Mira's loopback redirect. */
    const githubWindow = async (port = 4280) => {
      const started = await t.http().get(`/api/v1/auth/github/url?redirect_port=${port}`).expect(200);
      const toMira = await approve(started.body.url as string);
      expect(toMira.origin + toMira.pathname).toBe(`${PUBLIC}/api/v1/auth/github/callback`);
      const res = await t
        .http()
        .get(toMira.pathname + toMira.search)
        .expect(302);
      return {
        toMira,
        caught: new URL(res.headers.location as string),
        started: started.body as { url: string },
      };
    };

    it('signs in through Mira’s callback and a one-time code on the loopback port', async () => {
      const user = githubPerson();
      const { caught, started } = await githubWindow();
      const url = new URL(started.url);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('scope')).toContain('user:email');
      expect(caught.origin + caught.pathname).toBe('http://127.0.0.1:4280/auth/github/callback');
      const code = caught.searchParams.get('code')!;
      expect(code).toMatch(/^mira_sg_/);
      // the token request carried the PKCE verifier and the client secret
      expect(github.tokenRequests.at(-1)).toMatchObject({
        client_id: github.clientId,
        client_secret: github.clientSecret,
      });
      expect(github.tokenRequests.at(-1)!['code_verifier']).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

      const res = await t
        .http()
        .post('/api/v1/auth/github/exchange')
        .send({ code, redirect_port: 4280 })
        .expect(200);
      expect(res.body.user).toMatchObject({ email: user.emails[0]!.email, has_password: false });
      const replay = await t
        .http()
        .post('/api/v1/auth/github/exchange')
        .send({ code, redirect_port: 4280 })
        .expect(400);
      expect(replay.body.error_code).toBe('INVALID_SIGN_IN_CODE');
    });

    it('refuses the one-time code for another port, and a replayed GitHub callback', async () => {
      githubPerson();
      const { caught, toMira } = await githubWindow();
      const code = caught.searchParams.get('code')!;
      await t.http().post('/api/v1/auth/github/exchange').send({ code, redirect_port: 4281 }).expect(400);
      await t.http().post('/api/v1/auth/github/exchange').send({ code, redirect_port: 4280 }).expect(200);
      const replay = await t
        .http()
        .get(toMira.pathname + toMira.search)
        .expect(400);
      expect(replay.body.error_code).toBe('INVALID_SIGN_IN_STATE');
      const forged = await t.http().get('/api/v1/auth/github/callback?code=x&state=forged').expect(400);
      expect(forged.body.error_code).toBe('INVALID_SIGN_IN_STATE');
    });

    it('sends an unverified primary e-mail back to the app as an error, and links a verified one', async () => {
      const unverified = githubPerson([
        { email: `nope-${Date.now()}@users.example`, primary: true, verified: false, visibility: null },
        { email: `other-${Date.now()}@users.example`, primary: false, verified: true, visibility: null },
      ]);
      const refused = await githubWindow();
      expect(refused.caught.searchParams.get('error')).toBe('email_not_verified');
      expect(refused.caught.searchParams.has('code')).toBe(false);
      expect(await usersWithEmail(unverified.emails[0]!.email)).toBe(0);

      // the same verified address at Google and at GitHub is one account
      const who = googlePerson();
      const viaGoogle = await desktopGoogle();
      const a = await finishDesktop(
        viaGoogle.caught.searchParams.get('code')!,
        viaGoogle.started.state,
      ).expect(200);
      githubPerson([{ email: who.email, primary: true, verified: true, visibility: 'public' }]);
      const { caught } = await githubWindow();
      const b = await t
        .http()
        .post('/api/v1/auth/github/exchange')
        .send({ code: caught.searchParams.get('code'), redirect_port: 4280 })
        .expect(200);
      expect(b.body.user.id).toBe(a.body.user.id);
    });

    it('refuses a port that is not allowed', async () => {
      const res = await t.http().get('/api/v1/auth/github/url?redirect_port=5000').expect(422);
      expect(res.body.error_code).toBe('REDIRECT_PORT_NOT_ALLOWED');
    });
  });

  it('answers 404 SIGN_IN_NOT_CONFIGURED for a provider this server has no configuration for', async () => {
    const bare = await startTestApp({}, { database: t.database });
    try {
      for (const path of [
        '/api/v1/auth/google/url?redirect_port=4280',
        '/api/v1/auth/github/url?redirect_port=4280',
        '/api/v1/auth/google/web/login?spa_origin=https%3A%2F%2Fapp.example.com',
      ]) {
        const res = await bare.http().get(path).expect(404);
        expect(res.body.error_code).toBe('SIGN_IN_NOT_CONFIGURED');
      }
      const health = await bare.http().get('/health/detailed').expect(200);
      expect(health.body.checks?.sign_in ?? health.body.sign_in).toBeDefined();
    } finally {
      await bare.close();
    }
  });
});
