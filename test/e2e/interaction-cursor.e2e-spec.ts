import { startTestApp, TestApp, userWithNetwork, type Session } from '../support/app.js';

/**
 * Keyset pages of the interaction lists: walking v2 by next_cursor and v1 by the X-Next-Cursor header gives the rows
 * an offset walk gives, in the same order (ties in occurred_at broken by id); rows added while a walk is under way
 * neither repeat nor push rows out of it; a cursor not issued for this list is a 400 in the one error body.
 */
describe('interaction list cursors (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let session: Session;
  let nid: string;
  const base = Date.parse('2026-06-01T12:00:00Z');

  const say = async (network: string, auth: Record<string, string>, body: object) =>
    (
      await t
        .http()
        .post(`/api/v1/${network}/interactions`)
        .set(auth)
        .send({ interaction_type: 'text', content: 'hello', ...body })
        .expect(201)
    ).body as { id: string };
  const get = (path: string, auth = session.auth) => t.http().get(path).set(auth);
  const ids = (items: { id: string }[]) => items.map((i) => i.id);

  /** Every page of a v2 list by next_cursor; `between` runs before each page after the first. */
  async function walkV2(query: string, between?: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      if (pages > 0) await between?.();
      const path: string = `/api/v2/${nid}/interactions?${query}${cursor ? `&cursor=${cursor}` : ''}`;
      const res: {
        body: {
          items: { id: string }[];
          offset: number;
          next_offset: number | null;
          next_cursor: string | null;
        };
      } = await get(path).expect(200);
      seen.push(...ids(res.body.items));
      if (cursor)
        expect({ offset: res.body.offset, next_offset: res.body.next_offset }).toEqual({
          offset: 0,
          next_offset: null,
        });
      cursor = res.body.next_cursor;
      if (cursor === null) return seen;
    }
    throw new Error('the walk did not end');
  }

  async function walkOffset(version: 1 | 2, query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    for (let offset = 0; ; offset += limit) {
      const res = await get(
        `/api/v${version}/${nid}/interactions?${query}&limit=${limit}&offset=${offset}`,
      ).expect(200);
      const items = (version === 2 ? res.body.items : res.body) as { id: string }[];
      seen.push(...ids(items));
      if (items.length < limit) return seen;
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    ({ session, networkId: nid } = await userWithNetwork(t));
    const person = (await t.http().post(`/api/v1/${nid}/persons`).set(session.auth).send({}).expect(201)).body
      .id;
    // 23 interactions over 12 instants: most instants hold two rows, so the id breaks ties inside a page and across.
    for (let i = 0; i < 23; i += 1) {
      await say(nid, session.auth, {
        occurred_at: new Date(base + Math.floor(i / 2) * 1000).toISOString(),
        interaction_type: i % 3 === 0 ? 'audio' : 'text',
        ...(i % 2 ? { person_id: person } : {}),
      });
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('walks every list by cursor through the rows an offset walk gives, in order, each once', async () => {
    for (const query of [
      'limit=4',
      'limit=5&order=asc',
      'limit=3&interaction_type=text',
      'limit=7&sort=created_at',
    ]) {
      const byOffset = await walkOffset(2, query.replace(/limit=\d+&?/, ''), 6);
      const byCursor = await walkV2(query);
      expect({ query, rows: byCursor }).toEqual({ query, rows: byOffset });
      expect(new Set(byCursor).size).toBe(byCursor.length);
    }
    expect((await walkV2('limit=50')).length).toBe(23);
  });

  it('v1 hands the next cursor over in X-Next-Cursor, and answers the same rows as v1 offsets', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const res = await get(
        `/api/v1/${nid}/interactions?limit=4&offset=0${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      seen.push(...ids(res.body));
      cursor = res.headers['x-next-cursor'];
      if (!cursor) break;
    }
    expect(seen).toEqual(await walkOffset(1, '', 5));
  });

  it('neither repeats nor skips a row while newer interactions are added during the walk', async () => {
    const before = await walkV2('limit=50');
    let added = 0;
    const walked = await walkV2('limit=4', async () => {
      added += 1;
      await say(nid, session.auth, { occurred_at: new Date(base + 3_600_000 + added * 1000).toISOString() });
    });
    expect(walked).toEqual(before);
    // An offset walk under the same inserts repeats rows: what the cursor is for.
    const offsetWalk: string[] = [];
    for (let offset = 0; offset < before.length; offset += 4) {
      const res = await get(`/api/v2/${nid}/interactions?limit=4&offset=${offset}`).expect(200);
      offsetWalk.push(...ids(res.body.items));
      added += 1;
      await say(nid, session.auth, { occurred_at: new Date(base + 3_600_000 + added * 1000).toISOString() });
    }
    expect(new Set(offsetWalk).size).toBeLessThan(offsetWalk.length);
  });

  it('answers 400 INVALID_CURSOR in the one error body for a cursor not issued for this list', async () => {
    const first = await get(`/api/v2/${nid}/interactions?limit=2`).expect(200);
    const cursor = first.body.next_cursor as string;
    const other = await userWithNetwork(t);
    await say(other.networkId, other.session.auth, {});
    await say(other.networkId, other.session.auth, {});
    const foreign = (
      await get(`/api/v2/${other.networkId}/interactions?limit=1`, other.session.auth).expect(200)
    ).body.next_cursor as string;
    const forged = Buffer.from(
      JSON.stringify([1, nid, 'occurred_at', 'desc', '2026-06-01 12:00', 'x']),
    ).toString('base64url');
    const bad = [
      `cursor=${encodeURIComponent('not a cursor!')}`,
      'cursor=',
      `cursor=${forged}`,
      `cursor=${cursor}x`,
      `cursor=${cursor}&order=asc`,
      `cursor=${cursor}&sort=created_at`,
      `cursor=${cursor}&offset=2`,
      `cursor=${foreign}`,
      `cursor=${'A'.repeat(5000)}`,
    ];
    for (const query of bad) {
      const res = await get(`/api/v2/${nid}/interactions?${query}`);
      expect({ query, status: res.status, code: res.body.error_code }).toEqual({
        query,
        status: 400,
        code: 'INVALID_CURSOR',
      });
      expect(Object.keys(res.body).sort()).toEqual(['detail', 'error_code', 'request_id', 'timestamp']);
    }
    // v1 lists are newest first only: a cursor of an ascending v2 walk is not one of theirs.
    const asc = (await get(`/api/v2/${nid}/interactions?limit=2&order=asc`).expect(200)).body.next_cursor;
    await get(`/api/v1/${nid}/interactions?cursor=${asc}`).expect(400);
    await get(`/api/v1/${nid}/interactions?cursor=${cursor}`).expect(200);
    // Another network's caller cannot use this network's cursor on its own list either.
    const res = await get(`/api/v2/${other.networkId}/interactions?cursor=${cursor}`, other.session.auth);
    expect(res.status).toBe(400);
  });
});
