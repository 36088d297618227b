import { DataSource } from 'typeorm';
import { startTestApp, TestApp, registerClient, userWithNetwork, Session } from '../support/app.js';
import { devSpeakerFiles, enrolVoice, readAudio, streamUtterance } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

/** Mission: who said what — an utterance from the stream endpoint to an interaction with a speaker and conversation. */
describe('utterance pipeline (real HTTP, real PostgreSQL, real ONNX, real speech)', () => {
  let t: TestApp;
  let session: Session;
  let networkId: string;
  let device: { Authorization: string };

  const interactionForChunk = async (chunkId: string) => {
    const res = await t
      .http()
      .get(`/api/v2/${networkId}/interactions?limit=100`)
      .set(session.auth)
      .expect(200);
    return (res.body.items as { source_chunk_id: string; processing_status: string }[]).find(
      (i) => i.source_chunk_id === chunkId,
    );
  };

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '50',
      STREAM_ARBITRATION_WINDOW_MS: '100',
    });
    ({ session, networkId } = await userWithNetwork(t));
    device = await registerClient(t, session, networkId, 'kitchen');
  });

  afterAll(async () => {
    await t.close();
  });

  it('identifies an enrolled speaker, records the interaction with confidence, and opens a conversation', async () => {
    const [first] = devSpeakerFiles('1688');
    const person = await t
      .http()
      .post(`/api/v1/${networkId}/persons`)
      .set(session.auth)
      .send({ name: 'Anna' })
      .expect(201);
    await enrolVoice(t, session.auth, networkId, person.body.id, first!).expect(201);

    const chunkId = await streamUtterance(t, device, networkId, 'kitchen', readAudio(first!), new Date());
    const interaction = await waitFor(
      async () => {
        const i = await interactionForChunk(chunkId);
        return i?.processing_status === 'done' ? i : undefined;
      },
      { what: 'interaction processed', timeoutMs: 60_000 },
    );
    expect(interaction).toMatchObject({
      person_id: person.body.id,
      transcription_status: 'untranscribed',
      content: null,
      interaction_type: 'audio',
    });
    const full = interaction as unknown as Record<string, any>;
    expect(full.speaker_confidence).toBeGreaterThan(0.9);
    expect(full.metadata.speaker).toMatchObject({ decision: 'match', model_id: expect.any(String) });
    expect(full.conversation_id).toEqual(expect.any(String));
    const conversation = await t
      .http()
      .get(`/api/v1/${networkId}/conversations/${full.conversation_id}`)
      .set(session.auth)
      .expect(200);
    expect(JSON.stringify(conversation.body)).toContain(person.body.id);

    // exactly one interaction for the chunk, even if the job is enqueued again
    const rows = (await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM interactions WHERE source_chunk_id = $1', [chunkId])) as {
      n: number;
    }[];
    expect(rows[0]!.n).toBe(1);
  });
});
