import { DataSource } from 'typeorm';
import { AudioService, babble, mixAtSnr } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { startTestApp, TestApp, registerClient, userWithNetwork, Session } from '../support/app.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { DEV_SPEAKERS, enrolVoice, readAudio, streamUtterance } from '../support/speech.js';
import type { InteractionRow } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

/** Who said what — an utterance from the stream endpoint to an interaction with a speaker and conversation. */
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
    const [first] = librispeechDevFiles('1688');
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
    const full = interaction as unknown as InteractionRow;
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

  const processed = (chunkId: string) =>
    waitFor(
      async () => {
        const i = (await interactionForChunk(chunkId)) as InteractionRow | undefined;
        return i?.processing_status === 'done' ? i : undefined;
      },
      { what: 'interaction processed', timeoutMs: 60_000 },
    );

  it('a confident match refines the voiceprint; correcting the speaker removes that sample (no poisoning)', async () => {
    const [file] = librispeechDevFiles('3080');
    const anna = await t
      .http()
      .post(`/api/v1/${networkId}/persons`)
      .set(session.auth)
      .send({ name: 'Bea' })
      .expect(201);
    const other = await t
      .http()
      .post(`/api/v1/${networkId}/persons`)
      .set(session.auth)
      .send({ name: 'Cleo' })
      .expect(201);
    await enrolVoice(t, session.auth, networkId, anna.body.id, file!).expect(201);
    const interaction = await processed(
      await streamUtterance(t, device, networkId, 'kitchen', readAudio(file!), new Date()),
    );
    expect(interaction.person_id).toBe(anna.body.id);
    expect(interaction.metadata.speaker.refined_voiceprint).toBe(true);
    const samples = async (personId: string) =>
      (await t.http().get(`/api/v1/${networkId}/persons/${personId}/voice`).set(session.auth).expect(200))
        .body as {
        source: string;
      }[];
    expect((await samples(anna.body.id)).map((s) => s.source).sort()).toEqual(['auto', 'enrolment']);

    await t
      .http()
      .patch(`/api/v1/${networkId}/interactions/${interaction.id}`)
      .set(session.auth)
      .send({ person_id: other.body.id })
      .expect(200);
    expect((await samples(anna.body.id)).map((s) => s.source)).toEqual(['enrolment']);
    expect(await samples(other.body.id)).toEqual([]);
  });

  it('too little speech never names anyone: the interaction is stored with an unknown speaker', async () => {
    const decoded = await t.app.get(AudioService).decode(readAudio(librispeechDevFiles('533')[3]!));
    const short = encodeWav16(decoded.samples.subarray(0, Math.round(16_000 * 0.8)), 16_000);
    const before = (await t.http().get(`/api/v1/${networkId}/persons?limit=100`).set(session.auth)).body
      .length;
    const interaction = await processed(
      await streamUtterance(t, device, networkId, 'kitchen', short, new Date()),
    );
    expect(interaction.person_id).toBeNull();
    expect(interaction.speaker_confidence).toBeNull();
    expect(interaction.metadata.speaker).toMatchObject({ decision: 'unknown', reason: 'too_little_speech' });
    expect((await t.http().get(`/api/v1/${networkId}/persons?limit=100`).set(session.auth)).body.length).toBe(
      before,
    );
  });

  it('speech among other talkers is judged as speech in noise, though the quality SNR (VAD floor) calls it clean', async () => {
    // speaker 1998 with the other four dev speakers talking at once, 5 dB below
    const audio = t.app.get(AudioService);
    const [speaker, ...others] = await Promise.all(
      ['1998', ...DEV_SPEAKERS.filter((s) => s !== '1998')].map(
        async (s) => (await audio.decode(readAudio(librispeechDevFiles(s)[1]!))).samples,
      ),
    );
    const heard = encodeWav16(mixAtSnr(speaker!, babble(others, speaker!.length), 5), 16_000);
    const upload = await t
      .http()
      .post(`/api/v1/${networkId}/streams/kitchen/audio`)
      .set(device)
      .field('timestamp', new Date().toISOString())
      .attach('audio_data', heard, 'chunk.wav')
      .expect(200);
    // answered with the energy estimate; the arbitration stored the VAD's figures, which the pipeline read
    expect(upload.body.quality.basis).toBe('energy');
    const interaction = await processed(upload.body.chunk_id as string);
    const [judged] = (await t.app
      .get(DataSource)
      .query('SELECT snr_db, quality_basis FROM stream_chunks WHERE id = $1', [upload.body.chunk_id])) as {
      snr_db: number;
      quality_basis: string;
    }[];
    expect(judged!.quality_basis).toBe('vad');
    expect(judged!.snr_db).toBeGreaterThanOrEqual(12); // the VAD floor alone: "clean"
    expect(interaction.metadata.speaker.noisy_speech).toBe(true);
    expect(interaction.metadata.speaker.heard_snr_db as number).toBeLessThan(12);

    // the same voice alone is judged clean
    const alone = await processed(
      await streamUtterance(t, device, networkId, 'kitchen', encodeWav16(speaker!, 16_000), new Date()),
    );
    expect(alone.metadata.speaker).toMatchObject({ noisy_speech: false });
    expect(alone.metadata.speaker.heard_snr_db as number).toBeGreaterThanOrEqual(12);
  });

  it('groups by silence gap: a later utterance opens a new conversation, the old one closes with a labelled summary', async () => {
    const other = await userWithNetwork(t);
    const mic = await registerClient(t, other.session, other.networkId, 'desk');
    await t
      .http()
      .patch(`/api/v1/networks/${other.networkId}`)
      .set(other.session.auth)
      .send({ settings: { conversation_gap_seconds: 2, conversation_speaker_change_gap_seconds: 1 } })
      .expect(200);
    const files = librispeechDevFiles('2033');
    const list = async () =>
      (
        await t
          .http()
          .get(`/api/v2/${other.networkId}/interactions?limit=10&order=asc`)
          .set(other.session.auth)
      ).body.items as InteractionRow[];
    const waitDone = (n: number) =>
      waitFor(
        async () => {
          const items = await list();
          return items.length === n && items.every((i) => i.processing_status === 'done') ? items : undefined;
        },
        { timeoutMs: 60_000 },
      );
    await streamUtterance(t, mic, other.networkId, 'desk', readAudio(files[4]!), new Date());
    await waitDone(1);
    // real silence longer than the network's 2 s gap
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await streamUtterance(t, mic, other.networkId, 'desk', readAudio(files[5]!), new Date());
    const [a, b] = (await waitDone(2)) as [InteractionRow, InteractionRow];
    expect(a.conversation_id).toEqual(expect.any(String));
    expect(b.conversation_id).toEqual(expect.any(String));
    expect(b.conversation_id).not.toBe(a.conversation_id);
    const closed = await waitFor(async () => {
      const res = await t
        .http()
        .get(`/api/v2/${other.networkId}/conversations/${a.conversation_id}`)
        .set(other.session.auth);
      return res.body.is_active === false && res.body.topic_summary ? res.body : undefined;
    });
    // offline (no Gemini key, nothing transcribed): an extractive summary, labelled as such
    expect(closed.topic_summary).toBe('Untranscribed conversation');
    expect(JSON.stringify(closed)).toContain('extractive');
    // the newest conversation closes by itself once the network has been quiet for the gap
    await waitFor(
      async () => {
        const res = await t
          .http()
          .get(`/api/v1/${other.networkId}/conversations/${b.conversation_id}`)
          .set(other.session.auth);
        return res.body.is_active === false || undefined;
      },
      { timeoutMs: 30_000, what: 'idle close' },
    );
  });
});
