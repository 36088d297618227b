import { ConversationLifecycle } from '@mira/utterance';
import {
  createConversation,
  createInteraction,
  createPerson,
  startTestApp,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import { refuseConversationJob, sql } from '../support/database.js';
import { waitFor } from '../support/wait.js';

/**
 * A closed conversation is summarised by the conversation.summarize job, which is written in the transaction that
 * closes it, whoever closes it (the lifecycle when idle past the gap or at the next utterance's boundary, a person
 * with `is_active: false`): a failure (or a crash) between the two can never leave a closed conversation without its
 * summary job. A summary a person wrote is theirs: the job leaves it.
 */
describe('conversation close and its summary job', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TRANSCRIBER: 'none' });
  });
  afterAll(async () => t?.close());

  it('an idle close whose summary job cannot be written does not happen; the next idle check closes it with its job', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const anna = await createPerson(t, session.auth, networkId, 'Anna');
    const conversation = await createConversation(t, session.auth, networkId, {
      title: 'Quiet kitchen',
      participants: [anna],
    });
    // one line, said and stored long before the gap: the conversation is idle
    const line = await createInteraction(t, session.auth, networkId, {
      content: 'The kettle is on.',
      person_id: anna,
      conversation_id: conversation,
      occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
    });
    await sql(
      t.database,
      `UPDATE interactions SET created_at = now() - interval '1 hour' WHERE network_id = $1 AND id = $2`,
      [networkId, line],
    );
    const state = async () => {
      const [row] = await sql<{ is_active: boolean }>(
        t.database,
        'SELECT is_active FROM conversations WHERE network_id = $1 AND id = $2',
        [networkId, conversation],
      );
      const jobs = await sql(
        t.database,
        `SELECT id FROM jobs WHERE network_id = $1 AND type = 'conversation.summarize'
         AND payload->>'conversation_id' = $2`,
        [networkId, conversation],
      );
      return { active: row?.is_active, summaryJobs: jobs.length };
    };
    const lifecycle = t.app.get(ConversationLifecycle);

    const lift = await refuseConversationJob(t.database, 'conversation.summarize', conversation);
    try {
      await expect(lifecycle.closeIfIdle(networkId, conversation)).rejects.toThrow(
        'the conversation.summarize job cannot be written',
      );
      // the close rolled back with its job: still open, so the close_idle job's retry closes it
      expect(await state()).toEqual({ active: true, summaryJobs: 0 });
    } finally {
      await lift();
    }
    await lifecycle.closeIfIdle(networkId, conversation);
    expect(await state()).toEqual({ active: false, summaryJobs: 1 });
  });

  /** A conversation of a new network with one line by Anna, still open. */
  async function conversationWithOneLine() {
    const { session, networkId } = await userWithNetwork(t);
    const anna = await createPerson(t, session.auth, networkId, 'Anna');
    const conversation = await createConversation(t, session.auth, networkId, {
      title: 'Kitchen',
      participants: [anna],
    });
    await createInteraction(t, session.auth, networkId, {
      content: 'The kettle is on.',
      person_id: anna,
      conversation_id: conversation,
    });
    const read = async () =>
      (await t.http().get(`/api/v2/${networkId}/conversations/${conversation}`).set(session.auth).expect(200))
        .body as { is_active: boolean; topic_summary: string | null; summary_kind: string | null };
    const summaryJobs = () =>
      sql<{ status: string }>(
        t.database,
        `SELECT status FROM jobs WHERE network_id = $1 AND type = 'conversation.summarize'
         AND payload->>'conversation_id' = $2`,
        [networkId, conversation],
      );
    return { session, networkId, conversation, read, summaryJobs };
  }

  it('a conversation a person ends with is_active false is summarised like one the lifecycle closes', async () => {
    const { session, networkId, conversation, read } = await conversationWithOneLine();
    await t
      .http()
      .patch(`/api/v1/${networkId}/conversations/${conversation}`)
      .set(session.auth)
      .send({ is_active: false })
      .expect(200);
    const summarised = await waitFor(async () => {
      const body = await read();
      return body.topic_summary ? body : undefined;
    });
    // offline (no Gemini key): the extractive summary, labelled as such
    expect(summarised).toMatchObject({ is_active: false, summary_kind: 'extractive' });
  });

  it('a summary a person wrote survives the close: the summary job leaves it and no model is credited with it', async () => {
    const { session, networkId, conversation, read, summaryJobs } = await conversationWithOneLine();
    await t
      .http()
      .patch(`/api/v1/${networkId}/conversations/${conversation}`)
      .set(session.auth)
      .send({ topic_summary: 'Tea time', is_active: false })
      .expect(200);
    await waitFor(async () => {
      const jobs = await summaryJobs();
      return jobs.length === 1 && jobs[0]!.status === 'done' ? jobs : undefined;
    });
    expect(await read()).toMatchObject({ is_active: false, topic_summary: 'Tea time', summary_kind: null });
  });
});
