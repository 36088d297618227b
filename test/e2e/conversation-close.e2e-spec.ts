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

/**
 * A conversation the lifecycle closes (idle past the gap, or ended by the next utterance's boundary) is summarised
 * by the conversation.summarize job, which is written in the transaction that closes it: a failure (or a crash)
 * between the two can never leave a closed conversation without its summary job.
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
});
