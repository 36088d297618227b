import request from 'supertest';
import { AppLogger } from '../logging/app-logger.js';
import { BoundedExpressAdapter } from './http-server.js';

describe('BoundedExpressAdapter.reply', () => {
  const adapter = new BoundedExpressAdapter(
    { headersTimeoutMs: 5000, requestTimeoutMs: 5000 },
    new AppLogger('error'),
  );
  const app = adapter.getInstance<import('express').Express>();
  app.set('etag', false);
  const bodies: Record<string, unknown> = {
    list: {
      items: [{ id: 'a', content: 'grüß dich, 你好 👋', n: 1.5, at: new Date(Date.UTC(2026, 11, 3)) }],
    },
    array: [1, 'two', null, { three: true }],
    empty: {},
  };
  for (const [name, body] of Object.entries(bodies)) {
    app.all(`/lean/${name}/:status`, (req, res) => adapter.reply(res, body, Number(req.params['status'])));
    app.all(`/express/${name}/:status`, (req, res) => res.status(Number(req.params['status'])).json(body));
  }
  app.get('/lean-typed', (_req, res) => {
    res.setHeader('Content-Type', 'application/problem+json');
    adapter.reply(res, { detail: 'x' }, 200);
  });

  /** What a client can see of an answer: status, the headers Express decides, and the bytes. */
  const seen = async (method: 'get' | 'post' | 'head', path: string) => {
    const res = await request(app)
      [method](path)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    return {
      status: res.status,
      type: res.headers['content-type'],
      length: res.headers['content-length'],
      encoding: res.headers['transfer-encoding'],
      bytes: (res.body as Buffer | undefined)?.toString('base64') ?? '',
    };
  };

  it('answers a JSON body with exactly the status, headers and bytes res.json gives it', async () => {
    for (const name of Object.keys(bodies)) {
      for (const status of [200, 201, 204, 404]) {
        for (const method of ['get', 'post', 'head'] as const) {
          expect(await seen(method, `/lean/${name}/${status}`)).toEqual(
            await seen(method, `/express/${name}/${status}`),
          );
        }
      }
    }
    expect((await seen('get', '/lean/list/200')).type).toBe('application/json; charset=utf-8');
  });

  it('leaves a Content-Type the route set to Nest and Express', async () => {
    expect((await seen('get', '/lean-typed')).type).toBe('application/problem+json; charset=utf-8');
  });
});
