import { OAuth2Server } from 'oauth2-mock-server';
import { APP_LINES, type AppLine } from '../contract/apps-contract.js';
import { body, replayer } from '../contract/replay.js';
import { startTestApp, TestApp } from '../support/app.js';
import { FakeGitHub } from '../support/fake-github.js';

/**
 * The shipped apps' sign-in with Google and GitHub does not drift: the fixture's calls that need a provider
 * (`viaProvider`) are replayed as each app line makes them (its base path, /api/v1 and /api/v2), with the providers
 * at the wire — Google is oauth2-mock-server (a real OpenID Connect provider), GitHub a local server speaking its
 * OAuth web flow — and every answer is checked against what the app accepts and reads. The redirects a sign-in
 * window follows are followed by hand.
 */
describe('the shipped apps’ provider sign-in (test/contract/apps-contract.ts) replayed against a real server', () => {
  let t: TestApp;
  let google: OAuth2Server;
  let github: FakeGitHub;
  let who = { sub: '', email: '' };

  beforeAll(async () => {
    google = new OAuth2Server();
    await google.issuer.keys.generate('RS256');
    await google.start(0, '127.0.0.1');
    google.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) =>
      Object.assign(token.payload, who, { email_verified: true }),
    );
    github = await FakeGitHub.start();
    t = await startTestApp({
      GOOGLE_ISSUER: google.issuer.url!,
      GOOGLE_CLIENT_ID: 'mira-apps-client.apps.example',
      GOOGLE_CLIENT_SECRET: 'apps-secret',
      ...github.env(),
      PUBLIC_BASE_URL: 'http://mira.test',
      OAUTH_REDIRECT_PORTS: '4280',
    });
  }, 180_000); // a whole app on a busy machine

  afterAll(async () => {
    await t?.close();
    await google?.stop();
    await github?.close();
  });

  /** Where the provider's authorize page sends the window once the person approved. */
  const approve = async (url: string): Promise<URL> => {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  };

  for (const [line, lineInfo] of Object.entries(APP_LINES) as [AppLine, (typeof APP_LINES)[AppLine]][]) {
    for (const version of [1, 2] as const) {
      it(`${line} ${lineInfo.appVersion} on /api/v${version}: every provider sign-in call answers what the app reads`, async () => {
        const replay = replayer(t.baseUrl, line, version);
        const stamp = `${line}-v${version}-${Date.now()}`;
        who = { sub: `google-${stamp}`, email: `${stamp}@gmail.example` };

        // Google: the URL for the sign-in window, the provider's redirect to the app's loopback port, the code back.
        const started = body<{ url: string; state: string }>(
          await replay.send('auth.googleUrl', { query: { redirect_port: '4280' } }),
        );
        const caught = await approve(started.url);
        expect(caught.origin).toBe('http://127.0.0.1:4280');
        const signedIn = body<{ access_token: string }>(
          await replay.send('auth.googleCallback', {
            json: { code: caught.searchParams.get('code'), state: caught.searchParams.get('state') },
          }),
        );
        // the tokens work at the account door
        const clients = await t
          .http()
          .get(`${lineInfo.basePath}/api/v${version}/service/clients`)
          .set({ Authorization: `Bearer ${signedIn.access_token}` });
        expect(clients.status).toBe(200);

        // GitHub (desktop-app): GitHub sends the window to Mira's callback, Mira to the loopback port with a code.
        if (replay.calls.has('auth.githubUrl')) {
          const gh = body<{ url: string }>(
            await replay.send('auth.githubUrl', { query: { redirect_port: '4280' } }),
          );
          const toMira = await approve(gh.url);
          const res = await t
            .http()
            .get(toMira.pathname + toMira.search)
            .expect(302);
          const loopback = new URL(res.headers.location as string);
          expect(loopback.origin).toBe('http://127.0.0.1:4280');
          await replay.send('auth.githubExchange', {
            json: { code: loopback.searchParams.get('code'), redirect_port: 4280 },
          });
        }

        expect(replay.failures).toEqual([]);
        const expected = [...replay.calls.values()].filter((c) => c.viaProvider).map((c) => c.id);
        expect([...replay.replayed].sort()).toEqual(expected.sort());
      }, 120_000);
    }
  }
});
