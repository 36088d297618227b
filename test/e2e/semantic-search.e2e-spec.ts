import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { InteractionEmbedder } from '@mira/interaction';
import {
  startPgliteApp,
  startTestApp,
  userWithNetwork,
  type EmbeddedApp,
  type HttpTarget,
  type Session,
  type TestApp,
} from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { FakeGemini } from '../support/fake-gemini.js';
import { waitFor } from '../support/wait.js';

type Target = HttpTarget & { app: NestExpressApplication };
type Hit = { id: string; matched_by: string[]; highlight: unknown; network_id: string };
type Answer = { items: Hit[]; mode: string; requested_mode: string; semantic: string };

/** A search waits this long for its query's embedding; the "Gemini too slow" case waits it out. */
const QUERY_TIMEOUT_MS = 8000;

/**
 * Semantic search end to end: the real @google/genai SDK embeds through the fake Gemini (its embeddings put
 * words of one meaning together, e.g. puppy and canine), the embedding jobs run on the real queue, and the database
 * ranks: pgvector on PGlite, the plain-SQL cosine on a PostgreSQL without pgvector. The same scenario on both.
 */
function semanticScenario(
  name: string,
  start: (fake: FakeGemini) => Promise<Target & { close(): Promise<void> }>,
) {
  describe(name, () => {
    let fake: FakeGemini;
    let t: Target & { close(): Promise<void> };
    let session: Session;
    let nid: string;

    const say = async (network: string, auth: Session['auth'], content: string) =>
      (
        (
          await t
            .http()
            .post(`/api/v1/${network}/interactions`)
            .set(auth)
            .send({ interaction_type: 'text', content })
            .expect(201)
        ).body as { id: string }
      ).id;
    const search = async (query: string, network = nid, auth = session.auth): Promise<Answer> =>
      (await t.http().get(`/api/v1/${network}/interactions/search?${query}`).set(auth).expect(200))
        .body as Answer;
    const ids = (answer: Answer) => answer.items.map((i) => i.id);
    const embeddedCount = async (network: string) =>
      Number(
        (
          (await t.app
            .get(DataSource)
            .query(`SELECT count(*) AS n FROM interaction_embeddings WHERE network_id = $1`, [network])) as {
            n: string;
          }[]
        )[0]!.n,
      );
    /** Waits until the network's embedding jobs have all run. */
    const embeddingJobsSettled = (network: string) =>
      waitFor(
        async () =>
          (
            (await t.app
              .get(DataSource)
              .query(
                `SELECT 1 FROM jobs WHERE network_id = $1 AND type = 'interaction.embed' AND status IN ('queued', 'running')`,
                [network],
              )) as unknown[]
          ).length === 0,
        { timeoutMs: 120_000, what: `the embedding jobs of ${network}` },
      );
    /** Waits until the embedding jobs have stored `count` vectors for the network. */
    const embedded = (network: string, count: number) =>
      waitFor(async () => (await embeddedCount(network)) === count, {
        timeoutMs: 120_000,
        what: `${count} embeddings in ${network}`,
      });

    beforeAll(async () => {
      fake = await FakeGemini.start();
      t = await start(fake);
      ({ session, networkId: nid } = await userWithNetwork(t));
    }, 240_000);

    afterAll(async () => {
      await t?.close();
      await fake?.close();
    }, 120_000);

    afterEach(() => {
      fake.embeddingFailure = null;
    });

    it('finds by meaning an interaction that shares no word with the query, and merges it with the text ranking', async () => {
      const puppy = await say(nid, session.auth, 'The puppy chewed my slippers again');
      const bills = await say(nid, session.auth, 'Remember to pay the electricity bills before Friday');
      const pasta = await say(nid, session.auth, 'We should cook pasta tonight');
      await embedded(nid, 3);
      // the stored vectors are the configured model's, one per text, asked for as documents
      const documents = fake.embeddingRequests.filter((r) => r.taskTypes.includes('RETRIEVAL_DOCUMENT'));
      expect(documents.flatMap((r) => r.texts).sort()).toEqual(
        [
          'The puppy chewed my slippers again',
          'Remember to pay the electricity bills before Friday',
          'We should cook pasta tonight',
        ].sort(),
      );
      expect(documents.every((r) => r.model === 'gemini-embedding-001')).toBe(true);
      expect(documents.every((r) => r.outputDimensionality === 768)).toBe(true);

      // "canine" is in none of the texts: the words find nothing, the meaning finds the puppy first
      const words = await search('q=canine&mode=text');
      expect(words).toMatchObject({ items: [], mode: 'text', semantic: 'not_requested' });
      const meaning = await search('q=canine&mode=semantic');
      expect(meaning).toMatchObject({ mode: 'semantic', requested_mode: 'semantic', semantic: 'ran' });
      expect(meaning.items[0]).toMatchObject({ id: puppy, matched_by: ['semantic'], highlight: null });
      const query = fake.embeddingRequests.at(-1)!;
      expect(query).toMatchObject({ texts: ['canine'], taskTypes: ['RETRIEVAL_QUERY'] });

      // hybrid by default: the text match found by both rankings first, then the one found by meaning only
      const hybrid = await search(`q=${encodeURIComponent('slippers or dinner')}`);
      expect(hybrid).toMatchObject({ mode: 'hybrid', requested_mode: 'hybrid', semantic: 'ran' });
      expect(hybrid.items[0]).toMatchObject({ id: puppy, matched_by: ['text', 'semantic'] });
      expect(hybrid.items[0]!.highlight).not.toBeNull();
      expect(hybrid.items[1]).toMatchObject({ id: pasta, matched_by: ['semantic'], highlight: null });
      // the bills share no meaning with the query: below the relevance cut-off, not ranked last
      expect(ids(hybrid)).not.toContain(bills);
      // a query about nothing in the network finds nothing by meaning (rather than the least distant texts)
      const nothing = await search('q=zzyzx&mode=semantic');
      expect(nothing).toMatchObject({ mode: 'semantic', semantic: 'ran', items: [] });
      // limit bounds the fused answer
      expect(ids(await search(`q=${encodeURIComponent('slippers or dinner')}&limit=1`))).toEqual([puppy]);
    });

    it('reports how it ranks in /health/detailed', async () => {
      const health = await t.http().get('/health/detailed').expect(200);
      expect(health.body.checks.semantic_search).toMatchObject({
        status: 'healthy',
        modes: ['text', 'semantic', 'hybrid'],
        embedding_model: 'gemini-embedding-001',
        dimensions: 768,
      });
      expect(health.body.checks.assistant.text_embeddings).toEqual({
        engine: 'gemini',
        model: 'gemini-embedding-001',
        dimensions: 768,
      });
    });

    it("re-embeds an edited text, and drops an interaction's vector with it", async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      const edited = await say(n, s.auth, 'The dog needs a walk');
      const hound = await say(n, s.auth, 'Our hound barks at night');
      const editText = () =>
        t
          .http()
          .patch(`/api/v2/${n}/interactions/${edited}`)
          .set(s.auth)
          .send({ content: 'The car needs new tyres' })
          .expect(200);
      await embedded(n, 2);
      const before = await search('q=canine&mode=semantic', n, s.auth);
      expect(ids(before).sort()).toEqual([edited, hound].sort());

      await editText();
      await waitFor(
        async () => {
          const rows = (await t.app.get(DataSource).query(
            `SELECT content_sha256 = encode(sha256(convert_to('The car needs new tyres', 'UTF8')), 'hex') AS fresh
               FROM interaction_embeddings WHERE network_id = $1 AND interaction_id = $2`,
            [n, edited],
          )) as { fresh: boolean }[];
          return rows[0]?.fresh === true;
        },
        { timeoutMs: 120_000, what: 'the edited text embedded' },
      );
      expect((await search('q=automobile&mode=semantic', n, s.auth)).items[0]!.id).toBe(edited);
      expect((await search('q=canine&mode=semantic', n, s.auth)).items[0]!.id).toBe(hound);

      // rewriting the same text keeps its vector, and its job finds it current: no embedding request
      const requests = fake.embeddingRequests.length;
      await editText();
      expect(await embeddedCount(n)).toBe(2);
      await embeddingJobsSettled(n);
      expect(fake.embeddingRequests.length).toBe(requests);

      await t.http().delete(`/api/v1/${n}/interactions/${edited}`).set(s.auth).expect(204);
      expect(await embeddedCount(n)).toBe(1);
      // the hound is about dogs, not cars: nothing is near enough
      expect(ids(await search('q=automobile&mode=semantic', n, s.auth))).toEqual([]);
    });

    it("never ranks another network's interactions", async () => {
      const a = await userWithNetwork(t);
      const b = await userWithNetwork(t);
      const mine = await say(a.networkId, a.session.auth, 'Feed the puppy at six');
      const theirs = [
        await say(b.networkId, b.session.auth, 'The puppy is asleep'),
        await say(b.networkId, b.session.auth, 'Walk the dog'),
      ];
      await embedded(a.networkId, 1);
      await embedded(b.networkId, 2);
      for (const mode of ['semantic', 'hybrid']) {
        const answer = await search(`q=puppy&mode=${mode}`, a.networkId, a.session.auth);
        expect(ids(answer)).toEqual([mine]);
        expect(answer.items.every((i) => i.network_id === a.networkId)).toBe(true);
        const other = await search(`q=canine&mode=${mode}`, b.networkId, b.session.auth);
        expect(ids(other).sort()).toEqual([...theirs].sort());
      }
    });

    it('answers with the words alone when Gemini fails or is too slow, and embeds what was written meanwhile once it is back', async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      const pasta = await say(n, s.auth, 'We should cook pasta tonight');
      await embedded(n, 1);

      fake.embeddingFailure = { kind: 'status', status: 503 };
      const failed = await search('q=pasta', n, s.auth);
      expect(failed).toMatchObject({ mode: 'text', requested_mode: 'hybrid', semantic: 'failed' });
      expect(failed.items).toEqual([expect.objectContaining({ id: pasta, matched_by: ['text'] })]);
      const semanticOnly = await search('q=supper&mode=semantic', n, s.auth);
      expect(semanticOnly).toMatchObject({ mode: 'text', semantic: 'failed', items: [] });
      // written while Gemini fails: its job fails and is retried
      const written = await say(n, s.auth, 'Supper is at eight');

      fake.embeddingFailure = { kind: 'text', text: '', delayMs: 10 * QUERY_TIMEOUT_MS };
      const slow = await search('q=pasta', n, s.auth);
      expect(slow).toMatchObject({ mode: 'text', semantic: 'failed' });
      expect(slow.items.map((i) => i.id)).toEqual([pasta]);

      fake.embeddingFailure = null;
      await embedded(n, 2);
      expect((await search('q=dinner&mode=semantic', n, s.auth)).items.map((i) => i.id).sort()).toEqual(
        [pasta, written].sort(),
      );
    }, 240_000);

    it('backfills interactions that have no embedding in the configured model', async () => {
      const { session: s, networkId: n } = await userWithNetwork(t);
      const first = await say(n, s.auth, 'Book the flight to Lisbon');
      const second = await say(n, s.auth, 'The dentist moved my appointment');
      await embedded(n, 2);
      // as if they were written before Gemini was configured, or under another model
      await t.app
        .get(DataSource)
        .query(`UPDATE interaction_embeddings SET model = 'an-older-model' WHERE network_id = $1`, [n]);
      expect(ids(await search('q=vacation&mode=semantic', n, s.auth))).toEqual([]);
      expect(await t.app.get(InteractionEmbedder).scheduleBackfill()).toBeGreaterThanOrEqual(1);
      await waitFor(
        async () =>
          Number(
            (
              (await t.app
                .get(DataSource)
                .query(
                  `SELECT count(*) AS n FROM interaction_embeddings WHERE network_id = $1 AND model = 'gemini-embedding-001'`,
                  [n],
                )) as { n: string }[]
            )[0]!.n,
          ) === 2,
        { timeoutMs: 120_000, what: 'the backfill' },
      );
      expect((await search('q=vacation&mode=semantic', n, s.auth)).items[0]!.id).toBe(first);
      expect((await search('q=physician&mode=semantic', n, s.auth)).items[0]!.id).toBe(second);
      const batches = fake.embeddingRequests.filter((r) => r.texts.length === 2);
      expect(batches.length).toBeGreaterThanOrEqual(1);
    });
  });
}

const geminiEnv = (fake: FakeGemini) =>
  fake.env({ GEMINI_TIMEOUT_MS: '20000', SEMANTIC_SEARCH_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) });

semanticScenario('semantic search on PostgreSQL without pgvector (plain-SQL cosine)', async (fake) => {
  const app: TestApp = await startTestApp(geminiEnv(fake));
  const ranking = (await app.http().get('/health/detailed').expect(200)).body.checks.semantic_search.ranking;
  expect(ranking).toBe('plain SQL (cosine over real[], newest 2000 embedded interactions only)');
  return app;
});

semanticScenario('semantic search on embedded PGlite (pgvector)', async (fake) => {
  const app: EmbeddedApp = await startPgliteApp('mira-pglite-semantic-', geminiEnv(fake));
  const ranking = (await app.http().get('/health/detailed').expect(200)).body.checks.semantic_search.ranking;
  expect(ranking).toBe('pgvector (256-value prefix, 2000 candidates re-ranked by cosine distance)');
  return app;
});

/**
 * PostgreSQL with pgvector: the harness's PostgreSQL has no pgvector, so this runs only where
 * MIRA_TEST_PGVECTOR_ADMIN_URL names a server that has it (an admin URL, like the harness's), and is skipped
 * elsewhere; CI does not depend on it.
 */
const pgvectorAdminUrl = process.env['MIRA_TEST_PGVECTOR_ADMIN_URL'];
if (pgvectorAdminUrl) {
  semanticScenario('semantic search on PostgreSQL with pgvector', async (fake) => {
    const database = await createTestDatabase(pgvectorAdminUrl);
    const app: TestApp = await startTestApp(geminiEnv(fake), { database });
    const ranking = (await app.http().get('/health/detailed').expect(200)).body.checks.semantic_search
      .ranking;
    expect(ranking).toBe('pgvector (256-value prefix, 2000 candidates re-ranked by cosine distance)');
    const close = app.close.bind(app);
    return Object.assign(app, {
      close: async () => {
        await close();
        await database.drop();
      },
    });
  });
} else {
  describe.skip('semantic search on PostgreSQL with pgvector (MIRA_TEST_PGVECTOR_ADMIN_URL unset)', () => {
    it('runs where a PostgreSQL with pgvector is given', () => undefined);
  });
}
