import { DataSource } from 'typeorm';
import { RetentionService } from '@mira/retention';
import {
  createConversation,
  createInteraction,
  createPerson,
  startTestApp,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import {
  FakeGemini,
  FakeGeminiReply,
  geminiJson,
  geminiStatus,
  RecordedGeminiRequest,
} from '../support/fake-gemini.js';
import { refuseConversationJob } from '../support/database.js';
import { openSession, realtimeUrl } from '../support/realtime-client.js';
import { waitFor } from '../support/wait.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const isMemoryRequest = (r: RecordedGeminiRequest) =>
  JSON.stringify(r.body.generationConfig?.responseJsonSchema ?? '').includes('canonical_text');
const requestText = (r: RecordedGeminiRequest) =>
  (r.body.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');

type Memory = Record<string, unknown> & { id: string; canonical_text: string };

/**
 * Episodic memories as the apps read them: a closed conversation becomes memories (Gemini structured output through
 * the real SDK against a local fake at the wire; offline, the extractive summary's lines), listed at GET /memories
 * on the account door and the network door, pushed as `episodic_memory` events, scoped to the account's network,
 * and swept once expired.
 */
describe('memories', () => {
  let fake: FakeGemini;
  let t: TestApp;
  const memoryReplies: FakeGeminiReply[] = [];

  beforeAll(async () => {
    fake = await FakeGemini.start();
    fake.respondWith((request) =>
      isMemoryRequest(request)
        ? (memoryReplies.shift() ?? geminiJson({ memories: [] }))
        : geminiJson({ topic_summary: 'Plans', context_summary: 'Plans were made.' }),
    );
    t = await startTestApp(fake.env({ JOBS_POLL_INTERVAL_MS: '50' }));
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  /** A conversation of the account's network with these lines (speaker: person id), still open. */
  async function openConversation(
    app: TestApp,
    auth: { Authorization: string },
    networkId: string,
    lines: Array<[string | null, string]>,
  ): Promise<string> {
    const participants = [...new Set(lines.map(([p]) => p).filter((p): p is string => p !== null))];
    const conversation = await createConversation(app, auth, networkId, { title: 'Plans', participants });
    const start = Date.now() - 60_000;
    for (const [index, [person, content]] of lines.entries()) {
      await createInteraction(app, auth, networkId, {
        content,
        person_id: person,
        conversation_id: conversation,
        occurred_at: new Date(start + index * 1000).toISOString(),
      });
    }
    return conversation;
  }

  const close = (app: TestApp, auth: { Authorization: string }, networkId: string, conversation: string) =>
    app
      .http()
      .patch(`/api/v1/${networkId}/conversations/${conversation}`)
      .set(auth)
      .send({ is_active: false });

  /** The same, closed over HTTP. */
  async function closedConversation(
    app: TestApp,
    auth: { Authorization: string },
    networkId: string,
    lines: Array<[string | null, string]>,
  ): Promise<string> {
    const conversation = await openConversation(app, auth, networkId, lines);
    await close(app, auth, networkId, conversation).expect(200);
    return conversation;
  }

  const listed = async (app: TestApp, auth: { Authorization: string }, path = '/api/v1/memories') =>
    (await app.http().get(path).set(auth).expect(200)).body as Memory[];

  it('turns a closed conversation into memories (Gemini), lists them in the apps’ shape and pushes each as an event', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const alice = await createPerson(t, session.auth, networkId, 'Alice');
    const bob = await createPerson(t, session.auth, networkId, 'Bob');
    const socket = await openSession(
      realtimeUrl(t.baseUrl, { token: session.accessToken, client_id: 'app' }),
    );
    memoryReplies.push(
      geminiStatus(500), // a failed first attempt is retried by the job queue
      geminiJson({
        memories: [
          {
            memory_type: 'plan',
            canonical_text: 'Alice and Bob will have dinner at Luigi’s on Friday at 7 pm.',
            action_kind: 'schedule',
            participants: ['Alice', 'Bob'],
            proposed_start_at: '2030-05-03T19:00:00Z',
            proposed_end_at: '2030-05-03T21:00:00Z',
            expires_at: '',
            confidence: 0.9,
          },
          {
            memory_type: 'preference',
            canonical_text: 'Bob does not eat mushrooms.',
            action_kind: 'none',
            participants: ['Bob', 'Carol'],
            confidence: 0.7,
          },
        ],
      }),
    );
    const conversation = await closedConversation(t, session.auth, networkId, [
      [alice, 'Shall we have dinner at Luigi’s on Friday at seven?'],
      [bob, 'Yes, but no mushrooms for me please.'],
    ]);

    const memories = await waitFor(
      async () => {
        const list = await listed(t, session.auth);
        return list.length === 2 ? list : undefined;
      },
      { what: 'two memories', timeoutMs: 60_000 },
    );
    const plan = memories.find((m) => m.memory_type === 'plan')!;
    expect(plan).toEqual({
      id: expect.any(String),
      network_id: networkId,
      source_conversation_id: conversation,
      source_interaction_id: null,
      memory_type: 'plan',
      status: 'active',
      canonical_text: 'Alice and Bob will have dinner at Luigi’s on Friday at 7 pm.',
      action_kind: 'schedule',
      participant_person_ids: expect.arrayContaining([alice, bob]),
      proposed_start_at: '2030-05-03T19:00:00.000Z',
      proposed_end_at: '2030-05-03T21:00:00.000Z',
      // no expiry said: a day after the plan ends
      expires_at: '2030-05-04T21:00:00.000Z',
      confidence: 0.9,
      provenance: { source: 'conversation', engine: 'gemini', model: t.config.values.gemini.model },
      transition_history: [{ status: 'active', at: expect.stringMatching(/^\d{4}-/), reason: 'created' }],
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(plan.participant_person_ids).toHaveLength(2);
    const preference = memories.find((m) => m.memory_type === 'preference')!;
    // a label that names no person of the conversation is left out
    expect(preference).toMatchObject({ action_kind: null, participant_person_ids: [bob], expires_at: null });

    // Gemini was asked with the speakers' names and the memory schema
    const asked = fake.requests.filter(isMemoryRequest);
    expect(requestText(asked[asked.length - 1]!)).toContain('Bob: Yes, but no mushrooms for me please.');
    expect(asked[asked.length - 1]!.body.generationConfig).toMatchObject({
      responseMimeType: 'application/json',
    });

    // every memory reaches the socket with the REST shape
    for (const memory of memories) {
      const event = await socket.waitFor(
        (m) => m.event === 'episodic_memory' && (m.data as { id?: string }).id === memory.id,
        'episodic_memory',
      );
      expect(event.data).toEqual(memory);
    }
    await socket.close();

    // the network door lists the same; closing again (reopen, close) writes nothing twice
    expect(await listed(t, session.auth, `/api/v1/${networkId}/memories?limit=1`)).toEqual([memories[0]]);
    await t
      .http()
      .patch(`/api/v1/${networkId}/conversations/${conversation}`)
      .set(session.auth)
      .send({ is_active: true })
      .expect(200);
    await t
      .http()
      .patch(`/api/v1/${networkId}/conversations/${conversation}`)
      .set(session.auth)
      .send({ is_active: false })
      .expect(200);
    const rows = await waitFor(async () => {
      const jobs = (await t.app
        .get(DataSource)
        .query(`SELECT status FROM jobs WHERE network_id = $1 AND type = 'memory.from_conversation'`, [
          networkId,
        ])) as { status: string }[];
      return jobs.every((j) => j.status === 'done') ? jobs : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(await listed(t, session.auth)).toHaveLength(2);
  });

  it('enqueues the memory job in the closing transaction: a close whose job cannot be written does not happen', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const alice = await createPerson(t, session.auth, networkId, 'Alice');
    const conversation = await openConversation(t, session.auth, networkId, [
      [alice, 'The boiler is serviced in May.'],
    ]);
    const db = t.app.get(DataSource);
    const memoryJobs = async () =>
      (await db.query(
        `SELECT id FROM jobs WHERE network_id = $1 AND type = 'memory.from_conversation'
         AND payload->>'conversation_id' = $2`,
        [networkId, conversation],
      )) as unknown[];
    // The database refuses this conversation's memory job, as it would refuse any write during an outage or crash.
    const lift = await refuseConversationJob(t.database, 'memory.from_conversation', conversation);
    try {
      expect((await close(t, session.auth, networkId, conversation)).status).toBeGreaterThanOrEqual(500);
      // the close rolled back with its job: still open, so the client's retry closes it (nothing was lost)
      const open = await t
        .http()
        .get(`/api/v1/${networkId}/conversations/${conversation}`)
        .set(session.auth)
        .expect(200);
      expect(open.body.is_active).toBe(true);
      expect(await memoryJobs()).toEqual([]);
    } finally {
      await lift();
    }
    await close(t, session.auth, networkId, conversation).expect(200);
    expect(await memoryJobs()).toHaveLength(1);
  });

  it('is scoped to the account: another account sees none, and another network id answers 404', async () => {
    const owner = await userWithNetwork(t);
    const other = await userWithNetwork(t);
    const alice = await createPerson(t, owner.session.auth, owner.networkId, 'Alice');
    memoryReplies.push(
      geminiJson({
        memories: [
          {
            memory_type: 'fact',
            canonical_text: 'Alice’s sister lives in Lyon.',
            action_kind: 'none',
            participants: ['Alice'],
            confidence: 0.8,
          },
        ],
      }),
    );
    await closedConversation(t, owner.session.auth, owner.networkId, [[alice, 'My sister lives in Lyon.']]);
    await waitFor(async () => (await listed(t, owner.session.auth)).length === 1, { what: 'the memory' });
    expect(await listed(t, other.session.auth)).toEqual([]);
    await t.http().get(`/api/v1/${owner.networkId}/memories`).set(other.session.auth).expect(404);
    await t
      .http()
      .get('/api/v1/memories')
      .set('X-Network-Id', owner.networkId)
      .set(other.session.auth)
      .expect(404);
    await t.http().get('/api/v1/memories').expect(401);
    await t.http().get('/api/v1/memories?limit=0').set(owner.session.auth).expect(422);
  });

  it('hides an expired memory and the retention sweep deletes it', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const alice = await createPerson(t, session.auth, networkId, 'Alice');
    memoryReplies.push(
      geminiJson({
        memories: [
          {
            memory_type: 'event',
            canonical_text: 'Alice had a dentist appointment.',
            action_kind: 'none',
            participants: ['Alice'],
            proposed_start_at: '2020-01-01T10:00:00Z',
            confidence: 0.6,
          },
          {
            memory_type: 'fact',
            canonical_text: 'Alice plays the cello.',
            action_kind: 'none',
            participants: ['Alice'],
            confidence: 0.8,
          },
        ],
      }),
    );
    await closedConversation(t, session.auth, networkId, [
      [alice, 'The dentist was fine. Cello practice now.'],
    ]);
    const db = t.app.get(DataSource);
    await waitFor(
      async () =>
        ((await db.query(`SELECT 1 FROM memories WHERE network_id = $1`, [networkId])) as unknown[])
          .length === 2,
      { what: 'both memories stored' },
    );
    expect((await listed(t, session.auth)).map((m) => m.canonical_text)).toEqual(['Alice plays the cello.']);
    const swept = await t.app.get(RetentionService).sweepNetwork(networkId);
    expect(swept.deleted.memories).toBe(1);
    const left = (await db.query(`SELECT canonical_text FROM memories WHERE network_id = $1`, [
      networkId,
    ])) as {
      canonical_text: string;
    }[];
    expect(left).toEqual([{ canonical_text: 'Alice plays the cello.' }]);
  });

  it('offline (no Gemini key) keeps the extractive summary’s lines as facts, labelled extractive', async () => {
    const offline = await startTestApp({ JOBS_POLL_INTERVAL_MS: '50' });
    try {
      const { session, networkId } = await userWithNetwork(offline);
      const alice = await createPerson(offline, session.auth, networkId, 'Alice');
      await closedConversation(offline, session.auth, networkId, [
        [alice, 'The garden party is on Saturday at noon in the garden.'],
        [null, 'Okay.'],
      ]);
      const memories = await waitFor(
        async () => {
          const list = await listed(offline, session.auth);
          return list.length > 0 ? list : undefined;
        },
        { what: 'extractive memories', timeoutMs: 60_000 },
      );
      expect(memories.find((m) => m.canonical_text.startsWith('Alice:'))).toMatchObject({
        memory_type: 'fact',
        canonical_text: 'Alice: The garden party is on Saturday at noon in the garden.',
        participant_person_ids: [alice],
        confidence: null,
        provenance: { source: 'conversation', engine: 'extractive', note: 'offline (no GEMINI_API_KEY)' },
      });
    } finally {
      await offline.close();
    }
  });
});
