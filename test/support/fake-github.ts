import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The GitHub account the fake signs in (scriptable per test). */
export interface FakeGitHubUser {
  id: number;
  login: string;
  emails: { email: string; primary: boolean; verified: boolean; visibility: 'public' | 'private' | null }[];
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  user: FakeGitHubUser;
}

/**
 * A local server speaking GitHub's OAuth web flow and the two REST calls sign-in needs, at the wire:
 * `GET /login/oauth/authorize` (redirects to redirect_uri with code and state, as after the person approved),
 * `POST /login/oauth/access_token` (form or JSON; client secret, single-use code, redirect_uri and the PKCE verifier
 * checked; errors answered 200 with `{error}` as GitHub does), `GET /user` and `GET /user/emails` (bearer token).
 */
export class FakeGitHub {
  user: FakeGitHubUser = {
    id: 1001,
    login: 'octo',
    emails: [{ email: 'octo@example.com', primary: true, verified: true, visibility: 'public' }],
  };
  readonly tokenRequests: Record<string, string>[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, FakeGitHubUser>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  static async start(): Promise<FakeGitHub> {
    const holder: { fake?: FakeGitHub } = {};
    const server = createServer((req, res) => void holder.fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    holder.fake = new FakeGitHub(server, `http://127.0.0.1:${port}`, 'gh-client-id', 'gh-client-secret');
    return holder.fake;
  }

  /** The environment that points Mira at this fake. */
  env(): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.clientId,
      GITHUB_CLIENT_SECRET: this.clientSecret,
      GITHUB_AUTHORIZE_URL: `${this.baseUrl}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${this.baseUrl}/login/oauth/access_token`,
      GITHUB_API_URL: `${this.baseUrl}/api`,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const body = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(raw || '{}') as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
      return this.token(body, req, res);
    }
    const user = this.tokens.get((req.headers.authorization ?? '').replace(/^(Bearer|token)\s+/i, ''));
    if (req.method === 'GET' && (url.pathname === '/api/user' || url.pathname === '/api/user/emails')) {
      if (!user) return json(res, 401, { message: 'Bad credentials' });
      if (!req.headers['user-agent']) return json(res, 403, { message: 'User-Agent required' });
      return url.pathname === '/api/user'
        ? json(res, 200, { id: user.id, login: user.login, email: null })
        : json(res, 200, user.emails);
    }
    json(res, 404, { message: 'Not Found' });
  }

  private authorize(url: URL, res: ServerResponse): void {
    const clientId = url.searchParams.get('client_id');
    const redirectUri = url.searchParams.get('redirect_uri');
    if (clientId !== this.clientId || !redirectUri)
      return json(res, 400, { error: 'invalid client or redirect' });
    const code = randomUUID().replace(/-/g, '').slice(0, 20);
    const method = url.searchParams.get('code_challenge_method');
    this.codes.set(code, {
      clientId,
      redirectUri,
      challenge: method === 'S256' ? url.searchParams.get('code_challenge') : null,
      user: structuredClone(this.user),
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private token(body: Record<string, string>, req: IncomingMessage, res: ServerResponse): void {
    this.tokenRequests.push(body);
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [clientId, clientSecret] = basic
      ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [body['client_id'], body['client_secret']];
    const issued = this.codes.get(body['code'] ?? '');
    // GitHub answers these with 200 and an error object.
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) {
      return json(res, 200, { error: 'incorrect_client_credentials' });
    }
    if (!issued) return json(res, 200, { error: 'bad_verification_code' });
    this.codes.delete(body['code']!);
    if (body['redirect_uri'] !== issued.redirectUri)
      return json(res, 200, { error: 'redirect_uri_mismatch' });
    if (issued.challenge !== null) {
      const verifier = body['code_verifier'] ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
        return json(res, 200, {
          error: 'bad_verification_code',
          error_description: 'PKCE verification failed',
        });
      }
    }
    const accessToken = `gho_${randomUUID().replace(/-/g, '')}`;
    this.tokens.set(accessToken, issued.user);
    json(res, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
