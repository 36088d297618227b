import { DataSource } from 'typeorm';
import { AudioService } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { transcode } from '../support/audio.js';
import { buildDialogue } from '../support/conversation-audio.js';
import {
  FakeGemini,
  geminiJson,
  geminiRequestKind,
  geminiText,
  type RecordedGeminiRequest,
} from '../support/fake-gemini.js';
import { waitFor } from '../support/wait.js';

const requestText = (r: RecordedGeminiRequest) =>
  (r.body.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');

/**
 * A recording's conversation is a conversation like any other once its turns are written: it is summarised and
 * becomes episodic memories through the same jobs as a conversation of live chunks that closes (Gemini through the
 * real SDK against a local fake at the wire, transcribing each turn and answering the summary and memory requests).
 */
describe('memories from recordings (real HTTP, PostgreSQL, ONNX, speech; Gemini faked at the wire)', () => {
  let fake: FakeGemini;
  let t: TestApp;
  let turnNumber = 0;

  beforeAll(async () => {
    fake = await FakeGemini.start();
    fake.respondWith((request) => {
      const kind = geminiRequestKind(request);
      if (kind === 'transcription') return geminiText(`Turn ${++turnNumber}: lunch at Luigi's on Friday.`);
      if (kind === 'memories') {
        return geminiJson({
          memories: [
            {
              memory_type: 'plan',
              canonical_text: "Lunch at Luigi's on Friday at noon.",
              action_kind: 'schedule',
              participants: [],
              proposed_start_at: '2030-05-03T12:00:00Z',
              proposed_end_at: '2030-05-03T13:00:00Z',
              expires_at: '',
              confidence: 0.8,
            },
          ],
        });
      }
      if (kind === 'summary')
        return geminiJson({ topic_summary: 'Lunch', context_summary: 'Lunch is planned.' });
      return geminiJson({ call_to_action: false });
    });
    t = await startTestApp(
      fake.env({
        TRANSCRIBER: 'gemini',
        JOBS_POLL_INTERVAL_MS: '50',
        RECORDINGS_MAX_SECONDS: '120',
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it("summarises a processed recording's conversation and makes its memories from the transcribed turns", async () => {
    const { session, networkId } = await userWithNetwork(t);
    const dialogue = await buildDialogue(t.app.get(AudioService), ['1688', '1998'], {
      turns: 4,
      maxTurnSeconds: 6,
    });
    const flac = transcode(encodeWav16(dialogue.samples, 16_000), 'flac', ['-c:a', 'flac']);
    const accepted = await t
      .http()
      .post(`/api/v1/${networkId}/recordings`)
      .set(session.auth)
      .field('title', 'Lunch plans')
      .attach('audio', flac, 'lunch.flac')
      .expect(202);
    const recording = await waitFor(
      async () => {
        const res = await t
          .http()
          .get(`/api/v1/${networkId}/recordings/${accepted.body.recording_id}`)
          .set(session.auth)
          .expect(200);
        return ['done', 'failed'].includes(res.body.status) ? res.body : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 300, what: 'the recording processed' },
    );
    expect(recording.status).toBe('done');
    const texts = (recording.segments as Array<{ text: string | null }>).map((s) => s.text);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((text) => text?.includes('Luigi'))).toBe(true);

    const memories = await waitFor(
      async () => {
        const res = await t.http().get(`/api/v1/${networkId}/memories`).set(session.auth).expect(200);
        const items = res.body as Array<Record<string, unknown>>;
        return items.length > 0 ? items : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300, what: "the recording's memories" },
    );
    expect(memories).toEqual([
      expect.objectContaining({
        canonical_text: "Lunch at Luigi's on Friday at noon.",
        memory_type: 'plan',
        source_conversation_id: recording.conversation_id,
      }),
    ]);
    // the extractor read the recording's turns, every one of them
    const memoryRequest = fake.requests.find((r) => geminiRequestKind(r) === 'memories')!;
    for (const text of texts) expect(requestText(memoryRequest)).toContain(text);

    const conversation = await waitFor(
      async () => {
        const res = await t
          .http()
          .get(`/api/v2/${networkId}/conversations/${recording.conversation_id}`)
          .set(session.auth)
          .expect(200);
        return res.body.topic_summary ? res.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300, what: "the recording's conversation summarised" },
    );
    expect(conversation).toMatchObject({ is_active: false, title: 'Lunch plans', topic_summary: 'Lunch' });
    // one memories job for the conversation, done
    const jobs = await t.app
      .get(DataSource)
      .query(`SELECT status FROM jobs WHERE network_id = $1 AND type = 'memory.from_conversation'`, [
        networkId,
      ]);
    expect(jobs).toEqual([{ status: 'done' }]);
  }, 600_000);
});
