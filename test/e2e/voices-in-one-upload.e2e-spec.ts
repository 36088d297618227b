import { AudioService } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { registerClient, Session, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import { buildDialogue, speakerDuring } from '../support/conversation-audio.js';
import { enrolledPerson, streamUtterance } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

interface TurnRow {
  id: string;
  person_id: string | null;
  conversation_id: string | null;
  occurred_at: string;
  source_chunk_id: string;
  source_turn: number;
  processing_status: string;
  metadata: {
    audio: { turn?: { start: number; end: number; speaker_label: string } };
    speaker: { decision: string };
  };
}

/**
 * Several voices in one upload, on real speech (LibriSpeech test-other-dev, CC BY 4.0) through real HTTP, PostgreSQL
 * and ONNX: an ordinary stream chunk in which two people speak becomes one interaction per turn, each named by the
 * speaker policy, while a chunk of one voice stays one interaction; and a recording's voice nobody knows becomes a
 * person only through gathering, once enough of it was heard.
 */
describe('voices in one upload (real HTTP, real PostgreSQL, real ONNX, real speech)', () => {
  let t: TestApp;
  let audio: AudioService;

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '50',
      STREAM_ARBITRATION_WINDOW_MS: '100',
      RECORDINGS_MAX_SECONDS: '300',
    });
    audio = t.app.get(AudioService);
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  /** A network with Anna (speaker 2033) and Bert (speaker 3080) enrolled from files their tests never play. */
  async function household(): Promise<{ session: Session; networkId: string; anna: string; bert: string }> {
    const { session, networkId } = await userWithNetwork(t);
    const anna = await enrolledPerson(t, session.auth, networkId, 'Anna', '2033');
    const bert = await enrolledPerson(t, session.auth, networkId, 'Bert', '3080');
    return { session, networkId, anna, bert };
  }

  describe('a stream chunk', () => {
    let home: Awaited<ReturnType<typeof household>>;
    let device: { Authorization: string };

    beforeAll(async () => {
      home = await household();
      device = await registerClient(t, home.session, home.networkId, 'kitchen');
    }, 300_000);

    const turnsOf = (chunkId: string) =>
      waitFor(
        async () => {
          const res = await t
            .http()
            .get(`/api/v2/${home.networkId}/interactions?limit=100&order=asc`)
            .set(home.session.auth)
            .expect(200);
          const rows = (res.body.items as TurnRow[]).filter((i) => i.source_chunk_id === chunkId);
          return rows.length > 0 && rows.every((r) => r.processing_status === 'done')
            ? rows.sort((a, b) => a.source_turn - b.source_turn)
            : undefined;
        },
        { what: `the interactions of chunk ${chunkId}`, timeoutMs: 240_000, intervalMs: 200 },
      );

    /** Two 5 s turns 0.4 s apart (of `speakers` in turn) as one chunk heard `secondsAgo`; its interactions. */
    const streamDialogue = async (speakers: string[], secondsAgo: number) => {
      const dialogue = await buildDialogue(audio, speakers, {
        turns: 2,
        maxTurnSeconds: 5,
        pauseSeconds: 0.4,
      });
      const bytes = encodeWav16(dialogue.samples, 16_000);
      const at = new Date(Date.now() - secondsAgo * 1000);
      const chunkId = await streamUtterance(t, device, home.networkId, 'kitchen', bytes, at);
      return { dialogue, rows: await turnsOf(chunkId) };
    };

    it('where Anna speaks, then Bert (11 s), is two interactions: Anna’s turn, then Bert’s, one conversation', async () => {
      const { dialogue, rows } = await streamDialogue(['2033', '3080'], 120);
      expect(rows.map((r) => ({ turn: r.source_turn, person: r.person_id }))).toEqual([
        { turn: 0, person: home.anna },
        { turn: 1, person: home.bert },
      ]);
      const [first, second] = rows as [TurnRow, TurnRow];
      for (const r of rows) expect(r.metadata.speaker.decision).toBe('match');
      // each turn where it was said: Bert's starts at the change of voice (within a second), and at that time
      const bertStarts = dialogue.turns[1]!.start;
      const firstTurn = first.metadata.audio.turn!;
      const secondTurn = second.metadata.audio.turn!;
      expect(Math.abs(secondTurn.start - bertStarts)).toBeLessThan(1);
      expect(speakerDuring(dialogue.turns, firstTurn.start, firstTurn.end)).toBe('2033');
      expect(speakerDuring(dialogue.turns, secondTurn.start, secondTurn.end)).toBe('3080');
      expect(Date.parse(second.occurred_at) - Date.parse(first.occurred_at)).toBe(
        Math.round(secondTurn.start * 1000) - Math.round(firstTurn.start * 1000),
      );
      expect(firstTurn.speaker_label).not.toBe(secondTurn.speaker_label);
      // both turns belong to the conversation going on, which has both persons in it
      expect(first.conversation_id).not.toBeNull();
      expect(second.conversation_id).toBe(first.conversation_id);
      const conversation = await t
        .http()
        .get(`/api/v2/${home.networkId}/conversations/${first.conversation_id}`)
        .set(home.session.auth)
        .expect(200);
      expect(conversation.body.participants).toEqual(expect.arrayContaining([home.anna, home.bert]));
    }, 300_000);

    it('of one voice, as long and with the same pause, stays one interaction of the whole chunk', async () => {
      const { rows } = await streamDialogue(['2033'], 60);
      expect(rows.map((r) => ({ turn: r.source_turn, person: r.person_id }))).toEqual([
        { turn: 0, person: home.anna },
      ]);
      expect(rows[0]!.metadata.audio.turn).toBeUndefined();
    }, 300_000);
  });

  describe('a recording', () => {
    const recordingOf = async (home: { session: Session; networkId: string }, bytes: Buffer) => {
      const accepted = await t
        .http()
        .post(`/api/v1/${home.networkId}/recordings`)
        .set(home.session.auth)
        .attach('audio', bytes, 'meeting.wav')
        .expect(202);
      await waitFor(
        async () => {
          const task = await t
            .http()
            .get(`/api/v1/${home.networkId}/tasks/${accepted.body.task_id}`)
            .set(home.session.auth)
            .expect(200);
          if (task.body.status === 'failed') throw new Error(`task failed: ${task.body.error}`);
          return task.body.status === 'done' ? true : undefined;
        },
        { what: 'the recording processed', timeoutMs: 480_000, intervalMs: 250 },
      );
      return (
        await t
          .http()
          .get(`/api/v1/${home.networkId}/recordings/${accepted.body.recording_id}`)
          .set(home.session.auth)
          .expect(200)
      ).body as {
        speakers: Array<{ speaker_label: string; person_id: string | null; decision: string }>;
        segments: Array<{ start: number; end: number; speaker_label: string; person_id: string | null }>;
      };
    };
    const personsOf = async (home: { session: Session; networkId: string }) =>
      (await t.http().get(`/api/v2/${home.networkId}/persons?limit=100`).set(home.session.auth).expect(200))
        .body.items as Array<{ id: string }>;

    it('never makes a person of a voice nobody knows from one judgement; Anna’s turns stay Anna’s', async () => {
      const home = await household();
      // Anna, a stranger (speaker 533) once, Anna; then a meeting where the stranger speaks in turn with Anna
      const once = await buildDialogue(audio, ['2033', '533'], { turns: 3, maxTurnSeconds: 7, firstFile: 2 });
      const meeting = await buildDialogue(audio, ['2033', '533'], {
        turns: 10,
        maxTurnSeconds: 7,
        firstFile: 3,
      });
      for (const [k, dialogue] of [once, meeting].entries()) {
        const recording = await recordingOf(home, encodeWav16(dialogue.samples, 16_000));
        const stranger = recording.speakers.find((v) =>
          recording.segments.some(
            (s) =>
              s.speaker_label === v.speaker_label && speakerDuring(dialogue.turns, s.start, s.end) === '533',
          ),
        )!;
        const persons = (await personsOf(home)).map((p) => p.id);
        const gathered = persons.filter((id) => id !== home.anna && id !== home.bert);
        // a voice is gathered turn by turn, never made a person from one judgement: after one turn it is nobody;
        // after a meeting of several turns it is nobody yet or exactly one new person, never an enrolled one
        expect(gathered.length).toBeLessThanOrEqual(k);
        if (k === 0) expect(stranger).toMatchObject({ person_id: null, decision: 'unknown' });
        expect([null, ...gathered]).toContain(stranger.person_id);
        for (const s of recording.segments) {
          const who = speakerDuring(dialogue.turns, s.start, s.end);
          if (who === '2033') expect(s.person_id).toBe(home.anna);
          if (who === '533') expect([null, ...gathered]).toContain(s.person_id);
        }
      }
    }, 900_000);
  });
});
