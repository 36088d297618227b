import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AudioService } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { startTestApp, TestApp, userWithNetwork, Session } from '../support/app.js';
import { transcode } from '../support/audio.js';
import { buildDialogue, speakerDuring } from '../support/conversation-audio.js';
import { enrolledPerson } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

interface Segment {
  index: number;
  start: number;
  end: number;
  person_id: string | null;
  speaker_label: string;
  text: string | null;
  confidence: number | null;
  interaction_id: string | null;
}

/** Recordings: a long upload → its task → turns with persons → interactions of one conversation. */
describe('recordings (real HTTP, real PostgreSQL, real ONNX, real speech)', () => {
  let t: TestApp;
  let session: Session;
  let networkId: string;
  let audio: AudioService;

  const upload = (bytes: Buffer, name = 'meeting.flac', fields: Record<string, string> = {}) => {
    const req = t.http().post(`/api/v1/${networkId}/recordings`).set(session.auth);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req.attach('audio', bytes, name);
  };

  const task = async (taskId: string) =>
    (await t.http().get(`/api/v1/${networkId}/tasks/${taskId}`).set(session.auth).expect(200)).body as {
      status: string;
      progress: number;
      error: string | null;
    };

  /** Polls the task until it has finished; answers every status and progress seen on the way. */
  const settle = async (taskId: string, timeoutMs = 240_000) => {
    const seen: Array<{ status: string; progress: number }> = [];
    const last = await waitFor(
      async () => {
        const now = await task(taskId);
        seen.push({ status: now.status, progress: now.progress });
        return ['done', 'failed', 'cancelled'].includes(now.status) ? now : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `task ${taskId} finished` },
    );
    return { last, seen };
  };

  const recordingOf = async (id: string) =>
    (await t.http().get(`/api/v1/${networkId}/recordings/${id}`).set(session.auth).expect(200)).body;

  const counts = async () =>
    (
      (await t.app.get(DataSource).query(
        `SELECT (SELECT count(*)::int FROM recordings WHERE network_id = $1) AS recordings,
                (SELECT count(*)::int FROM recording_audio WHERE network_id = $1) AS parts`,
        [networkId],
      )) as { recordings: number; parts: number }[]
    )[0]!;

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '50',
      RECORDINGS_MAX_SECONDS: '150',
      RECORDINGS_MAX_BYTES: String(8 * 1_048_576),
    });
    ({ session, networkId } = await userWithNetwork(t));
    audio = t.app.get(AudioService);
  });

  afterAll(async () => {
    await t.close();
  });

  it('turns a two-voice recording into turns naming the enrolled persons, each an interaction of one conversation', async () => {
    const anna = await enrolledPerson(t, session.auth, networkId, 'Anna', '1688');
    const bert = await enrolledPerson(t, session.auth, networkId, 'Bert', '1998');
    const dialogue = await buildDialogue(audio, ['1688', '1998'], { turns: 6, maxTurnSeconds: 9 });
    const flac = transcode(encodeWav16(dialogue.samples, 16_000), 'flac', ['-c:a', 'flac']);

    const accepted = await upload(flac, 'meeting.flac', {
      recorded_at: '2026-03-01T09:00:00Z',
      title: 'Stand-up',
    }).expect(202);
    expect(accepted.body).toEqual({
      recording_id: expect.any(String),
      task_id: expect.any(String),
      status: 'queued',
    });
    const { last, seen } = await settle(accepted.body.task_id);
    expect(last).toMatchObject({ status: 'done', progress: 1, error: null });
    for (const s of seen) expect(s.progress).toBeGreaterThanOrEqual(0);
    expect(seen.every((s, i) => i === 0 || s.progress >= seen[i - 1]!.progress)).toBe(true);

    const res = await t
      .http()
      .get(`/api/v1/${networkId}/recordings/${accepted.body.recording_id}`)
      .set(session.auth)
      .expect(200);
    const recording = res.body as {
      status: string;
      format: string;
      duration: number;
      recorded_at: string;
      conversation_id: string;
      speakers: Array<{ speaker_label: string; person_id: string | null; decision: string }>;
      segments: Segment[];
    };
    expect(recording).toMatchObject({
      status: 'done',
      format: 'flac',
      recorded_at: '2026-03-01T09:00:00.000Z',
    });
    expect(Math.abs(recording.duration - dialogue.samples.length / 16_000)).toBeLessThan(0.1);
    expect(recording.speakers.map((s) => s.person_id).sort()).toEqual([anna, bert].sort());

    // who spoke: most of the speech is given to the person who really spoke it
    const personOf = { '1688': anna, '1998': bert } as Record<string, string>;
    let right = 0;
    let total = 0;
    for (const s of recording.segments) {
      const truth = speakerDuring(dialogue.turns, s.start, s.end);
      total += s.end - s.start;
      if (truth && s.person_id === personOf[truth]) right += s.end - s.start;
    }
    expect(right / total).toBeGreaterThan(0.85);
    expect(recording.segments.length).toBeGreaterThanOrEqual(5);
    expect(recording.segments.map((s) => s.index)).toEqual(recording.segments.map((_, i) => i));

    // each turn is an interaction of the recording's conversation, at its time in the recording
    const interactions = (
      await t
        .http()
        .get(
          `/api/v2/${networkId}/interactions?conversation_id=${recording.conversation_id}&limit=100&order=asc`,
        )
        .set(session.auth)
        .expect(200)
    ).body.items as Array<{
      id: string;
      person_id: string | null;
      occurred_at: string;
      source_recording_id: string;
      source_turn: number;
      processing_status: string;
      transcription_status: string;
    }>;
    expect(interactions).toHaveLength(recording.segments.length);
    for (const s of recording.segments) {
      const i = interactions.find((x) => x.id === s.interaction_id)!;
      expect(i).toMatchObject({
        person_id: s.person_id,
        source_recording_id: accepted.body.recording_id,
        source_turn: s.index,
        processing_status: 'done',
        transcription_status: 'untranscribed',
      });
      expect(Date.parse(i.occurred_at)).toBe(Date.parse('2026-03-01T09:00:00Z') + Math.round(s.start * 1000));
    }
    const conversation = (
      await t
        .http()
        .get(`/api/v2/${networkId}/conversations/${recording.conversation_id}`)
        .set(session.auth)
        .expect(200)
    ).body as { is_active: boolean; title: string; started_at: string };
    expect(conversation).toMatchObject({
      is_active: false,
      title: 'Stand-up',
      started_at: '2026-03-01T09:00:00.000Z',
    });
    // the audio is gone once processed; the list shows the recording with its turn count
    expect((await counts()).parts).toBe(0);
    const list = await t.http().get(`/api/v2/${networkId}/recordings`).set(session.auth).expect(200);
    expect(list.body.items[0]).toMatchObject({
      id: accepted.body.recording_id,
      segment_count: recording.segments.length,
    });
  }, 600_000);

  it.each([
    ['wav', 'wav', ['-c:a', 'pcm_s24le', '-ar', '44100', '-ac', '2']],
    ['mp3', 'mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']],
    ['ogg', 'ogg', ['-c:a', 'libopus', '-b:a', '32k']],
    ['ogg', 'oga', ['-c:a', 'libvorbis', '-q:a', '3']],
    ['webm', 'webm', ['-c:a', 'libopus', '-b:a', '32k']],
  ] as const)(
    'decodes %s (%s) to its full length',
    async (format, ext, args) => {
      const file = librispeechDevFiles('533')[1]!;
      const clip = (await audio.decode(readFileSync(file))).samples.subarray(0, 6 * 16_000);
      const encoded = transcode(encodeWav16(clip, 16_000), ext, [...args]);
      const accepted = await upload(encoded, `clip.${ext}`).expect(202);
      const { last } = await settle(accepted.body.task_id);
      expect(last).toMatchObject({ status: 'done', error: null });
      const recording = await recordingOf(accepted.body.recording_id);
      expect(recording.format).toBe(format);
      expect(Math.abs(recording.duration - 6)).toBeLessThan(0.15);
      expect(recording.segments.length).toBeGreaterThan(0);
    },
    240_000,
  );

  it('reads headerless PCM16 16 kHz as it is', async () => {
    const pcm = Buffer.from(
      encodeWav16(
        new Float32Array(16_000 * 3).map((_, i) => 0.3 * Math.sin(i / 5)),
        16_000,
      ).subarray(44),
    );
    const accepted = await upload(pcm, 'audio.raw').expect(202);
    const { last } = await settle(accepted.body.task_id);
    expect(last.status).toBe('done');
    const recording = await recordingOf(accepted.body.recording_id);
    expect(recording).toMatchObject({ format: 'pcm16', duration: 3, segments: [] });
  }, 120_000);

  it('refuses what it can tell at once and leaves nothing behind', async () => {
    const before = await counts();
    const aiff = Buffer.concat([Buffer.from('FORM\0\0\0\x20AIFFCOMM'), Buffer.alloc(64)]);
    expect((await upload(aiff, 'x.aiff').expect(415)).body.error_code).toBe('AUDIO_UNDECODABLE');
    expect(
      (
        await t
          .http()
          .post(`/api/v1/${networkId}/recordings`)
          .set(session.auth)
          .field('title', 'x')
          .expect(422)
      ).body.error_code,
    ).toBe('AUDIO_FILE_MISSING');
    expect((await upload(Buffer.alloc(0), 'empty.wav').expect(422)).body.error_code).toBe('AUDIO_EMPTY');
    // 160 s of raw PCM: longer than RECORDINGS_MAX_SECONDS (150), known from the size while it arrives
    const long = Buffer.alloc(160 * 32_000, 1);
    expect((await upload(long, 'long.raw').expect(413)).body.error_code).toBe('AUDIO_TOO_LONG');
    // more bytes than RECORDINGS_MAX_BYTES (8 MiB), whatever they are
    const big = Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(9 * 1_048_576, 7)]);
    expect((await upload(big, 'big.flac').expect(413)).body.error_code).toBe('AUDIO_TOO_LARGE');
    const fine = encodeWav16(new Float32Array(16_000), 16_000);
    const bad = await upload(fine, 'a.wav', { recorded_at: 'yesterday' }).expect(422);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['recorded_at']);
    expect(await counts()).toEqual(before);
  }, 120_000);

  it('fails the task with the reason when the audio turns out too long or undecodable once decoded', async () => {
    const [file] = librispeechDevFiles('533');
    const clip = (await audio.decode(readFileSync(file!))).samples;
    const long = new Float32Array(16_000 * 160);
    for (let at = 0; at + clip.length < long.length; at += clip.length * 2) long.set(clip, at);
    const flac = transcode(encodeWav16(long, 16_000), 'flac', ['-c:a', 'flac']);
    const accepted = await upload(flac, 'long.flac').expect(202);
    const { last } = await settle(accepted.body.task_id);
    expect(last.status).toBe('failed');
    expect(last.error).toContain('AUDIO_TOO_LONG');
    const recording = await recordingOf(accepted.body.recording_id);
    expect(recording).toMatchObject({ status: 'failed', error_code: 'AUDIO_TOO_LONG', segments: [] });

    const corrupt = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(20_000, 0x5a)]);
    const broken = await upload(corrupt, 'broken.ogg').expect(202);
    expect((await settle(broken.body.task_id)).last.status).toBe('failed');
  }, 300_000);

  it('cancels a recording (its task too) and deletes one with its conversation; another id is a 404', async () => {
    const [file] = librispeechDevFiles('533');
    const clip = (await audio.decode(readFileSync(file!))).samples;
    const wav = encodeWav16(clip, 16_000);

    // cancel before it runs: a job worker that never starts this one is simulated by cancelling at once
    const first = await upload(wav, 'a.wav').expect(202);
    const cancelled = await t
      .http()
      .post(`/api/v1/${networkId}/recordings/${first.body.recording_id}/cancel`)
      .set(session.auth);
    if (cancelled.status === 200) {
      expect(cancelled.body.status).toBe('cancelled');
      expect((await task(first.body.task_id)).status).toBe('cancelled');
      await t
        .http()
        .post(`/api/v1/${networkId}/recordings/${first.body.recording_id}/cancel`)
        .set(session.auth)
        .expect(200);
    } else {
      // it finished first on a fast machine: a finished recording cannot be cancelled
      expect(cancelled.status).toBe(409);
      expect(cancelled.body.error_code).toBe('RECORDING_FINISHED');
    }

    const second = await upload(wav, 'b.wav').expect(202);
    expect((await settle(second.body.task_id)).last.status).toBe('done');
    const done = await recordingOf(second.body.recording_id);
    await t
      .http()
      .delete(`/api/v1/${networkId}/recordings/${second.body.recording_id}`)
      .set(session.auth)
      .expect(204);
    await t
      .http()
      .delete(`/api/v1/${networkId}/recordings/${second.body.recording_id}`)
      .set(session.auth)
      .expect(204);
    await t
      .http()
      .get(`/api/v1/${networkId}/recordings/${second.body.recording_id}`)
      .set(session.auth)
      .expect(404);
    await t
      .http()
      .get(`/api/v2/${networkId}/conversations/${done.conversation_id}`)
      .set(session.auth)
      .expect(404);
    for (const s of done.segments as Segment[]) {
      await t
        .http()
        .get(`/api/v2/${networkId}/interactions/${s.interaction_id}`)
        .set(session.auth)
        .expect(404);
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    await t.http().delete(`/api/v1/${networkId}/recordings/${unknown}`).set(session.auth).expect(404);
    await t.http().get(`/api/v1/${networkId}/tasks/${unknown}`).set(session.auth).expect(404);
  }, 300_000);
});
