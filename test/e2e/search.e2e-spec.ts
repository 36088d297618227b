import { createPerson, startTestApp, TestApp, userWithNetwork, type Session } from '../support/app.js';

/**
 * Search over what was said — ranked full-text matches with highlights in the network's language, filters,
 * tenancy, and the route never shadowed by /interactions/{interaction_id}.
 */
describe('interaction search (real HTTP, real PostgreSQL full-text search)', () => {
  let t: TestApp;
  let session: Session;
  let nid: string;

  const say = async (network: string, auth: Record<string, string>, content: string, extra: object = {}) =>
    (
      await t
        .http()
        .post(`/api/v1/${network}/interactions`)
        .set(auth)
        .send({ interaction_type: 'text', content, ...extra })
        .expect(201)
    ).body as { id: string };
  const search = (query: string, network = nid, auth: Record<string, string> = session.auth, version = 1) =>
    t.http().get(`/api/v${version}/${network}/interactions/search?${query}`).set(auth);

  beforeAll(async () => {
    t = await startTestApp();
    ({ session, networkId: nid } = await userWithNetwork(t));
  });

  afterAll(async () => {
    await t.close();
  });

  it('finds inflected words in English by default, ranks, and marks the matched words', async () => {
    const strong = await say(
      nid,
      session.auth,
      'Shall we walk to the park? A long walk after lunch would be nice.',
    );
    const weak = await say(nid, session.auth, 'I walked the dog this morning while it was raining a lot.');
    await say(nid, session.auth, 'The meeting about the budget is at three.');

    const res = await search('q=walking').expect(200);
    expect(res.body.language).toBe('en');
    // without Gemini: text by default, and a semantic search answers with the words, saying so
    expect(res.body).toMatchObject({ mode: 'text', requested_mode: 'text', semantic: 'unavailable' });
    const semantic = await search('q=walking&mode=semantic').expect(200);
    expect(semantic.body).toMatchObject({
      mode: 'text',
      requested_mode: 'semantic',
      semantic: 'unavailable',
    });
    expect(semantic.body.items).toHaveLength(2);
    const badMode = await search('q=walking&mode=vector').expect(422);
    expect(badMode.body.error_code).toBe('VALIDATION_FAILED');
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([strong.id, weak.id]);
    const [first, second] = res.body.items;
    expect(first.score).toBeGreaterThan(second.score);
    expect(first.matched_by).toEqual(['text']);
    expect(first).toMatchObject({ network_id: nid, interaction_type: 'text', transcription_status: null });
    const marked = first.highlight.matches.map((m: { start: number; end: number }) =>
      first.highlight.text.slice(m.start, m.end).toLowerCase(),
    );
    expect(marked).toEqual(['walk', 'walk']);
    expect(
      second.highlight.text.slice(second.highlight.matches[0].start, second.highlight.matches[0].end),
    ).toBe('walked');

    // web-search syntax: exclusion and phrases
    const excluded = await search(`q=${encodeURIComponent('walk -raining')}`).expect(200);
    expect(excluded.body.items.map((i: { id: string }) => i.id)).toEqual([strong.id]);
    const phrase = await search(`q=${encodeURIComponent('"long walk"')}`).expect(200);
    expect(phrase.body.items.map((i: { id: string }) => i.id)).toEqual([strong.id]);
    // the same route under v2
    const v2 = await search('q=budget', nid, session.auth, 2).expect(200);
    expect(v2.body.items).toHaveLength(1);
  });

  it('filters by person and time, and answers 404 for a person of another network', async () => {
    const { session: s, networkId: n } = await userWithNetwork(t);
    const ada = await createPerson(t, s.auth, n, 'Ada');
    const bob = await createPerson(t, s.auth, n, 'Bob');
    const old = await say(n, s.auth, 'the garden needs water', {
      person_id: ada,
      occurred_at: '2026-01-01T10:00:00Z',
    });
    const recent = await say(n, s.auth, 'water the garden tonight', {
      person_id: bob,
      occurred_at: '2026-03-01T10:00:00Z',
    });
    const byAda = await search(`q=garden&person_id=${ada}`, n, s.auth).expect(200);
    expect(byAda.body.items.map((i: { id: string }) => i.id)).toEqual([old.id]);
    const inMarch = await search(
      'q=garden&since=2026-02-01T00:00:00Z&until=2026-04-01T00:00:00Z',
      n,
      s.auth,
    ).expect(200);
    expect(inMarch.body.items.map((i: { id: string }) => i.id)).toEqual([recent.id]);
    const limited = await search('q=garden&limit=1', n, s.auth).expect(200);
    expect(limited.body.items).toHaveLength(1);

    const foreignPerson = await createPerson(t, session.auth, nid, 'Eve');
    const foreign = await search(`q=garden&person_id=${foreignPerson}`, n, s.auth).expect(404);
    expect(foreign.body.error_code).toBe('PERSON_NOT_FOUND');
  });

  it("never returns another network's interactions", async () => {
    const { session: s, networkId: n } = await userWithNetwork(t);
    await say(nid, session.auth, 'the secret password is marmalade');
    const mine = await search('q=marmalade').expect(200);
    expect(mine.body.items).toHaveLength(1);
    const theirs = await search('q=marmalade', n, s.auth).expect(200);
    expect(theirs.body.items).toEqual([]);
    // and their token cannot search this network at all
    await search('q=marmalade', nid, s.auth).expect(404);
  });

  it("matches in the network's language: settings.language picks the stemmer, unknown codes match words as written", async () => {
    const { session: s, networkId: n } = await userWithNetwork(t);
    await t
      .http()
      .patch(`/api/v1/networks/${n}`)
      .set(s.auth)
      .send({ settings: { language: 'es' } })
      .expect(200);
    const spanish = await say(n, s.auth, 'Estábamos corriendo por el parque');
    const res = await search('q=correr', n, s.auth).expect(200);
    expect(res.body.language).toBe('es');
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([spanish.id]);

    await t
      .http()
      .patch(`/api/v1/networks/${n}`)
      .set(s.auth)
      .send({ settings: { language: 'xx' } })
      .expect(200);
    const literal = await say(n, s.auth, 'walking home');
    expect((await search('q=walk', n, s.auth).expect(200)).body.items).toEqual([]);
    const exact = await search('q=walking', n, s.auth).expect(200);
    expect(exact.body.items.map((i: { id: string }) => i.id)).toEqual([literal.id]);
  });

  it('answers bad input with a clear 4xx and a stop-word-only query with nothing', async () => {
    const missing = await search('limit=5').expect(422);
    expect(missing.body.error_code).toBe('VALIDATION_FAILED');
    await search(`q=${'a'.repeat(201)}`).expect(422);
    await search('q=walk&limit=0').expect(422);
    await search('q=walk&limit=101').expect(422);
    await search('q=walk&since=yesterday').expect(422);
    await search('q=walk&person_id=not-a-uuid').expect(422);
    const stopWords = await search('q=the').expect(200);
    expect(stopWords.body.items).toEqual([]);
    const punctuation = await search(`q=${encodeURIComponent('!!! ((( "')}`).expect(200);
    expect(punctuation.body.items).toEqual([]);
  });
});
