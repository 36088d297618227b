import { readFileSync } from 'node:fs';
import { AudioService } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { defaultPolicyFor } from '@mira/recognition';
import {
  createPerson,
  registerClient,
  startTestApp,
  TestApp,
  userWithNetwork,
  Session,
} from '../support/app.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { enrolVoice, streamUtterance, type InteractionRow } from '../support/speech.js';
import { DeviceTimeline } from '../support/device-timeline.js';
import { waitFor } from '../support/wait.js';

const SR = 16_000;
/** Several utterances through the whole pipeline each: generous, for a loaded machine. */
const SLOW = 1_800_000;
/**
 * Speaker 1688's turn: the first 5 s of this test-other-dev utterance of hers. The short segment: two seconds of another
 * of her utterances, from 40 % of the way in. It is heard as noisy speech (SNR about 10 dB) whose own evidence for her
 * (a log-likelihood ratio of about 5.5) reaches the continuation's floor (5) but not the posterior short noisy speech
 * needs on its own (0.999: about 0.998).
 */
const TURN_UTTERANCE = 6;
const SEGMENT_UTTERANCE = 5;
const SEGMENT_SECONDS = 2;
const SEGMENT_AT = 0.4;

/**
 * Who said what, from all the evidence: a stranger's repeated speech becomes exactly one person, never one per
 * utterance and never an enrolled person, and enrolled people's speech never a new person; the same device's preceding turn names a short segment only when it continues that
 * turn; persons whose voiceprints belong to an earlier speaker model are told to enrol again.
 */
describe('speaker identification from all the evidence (real HTTP, real PostgreSQL, real ONNX, real speech)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      TRANSCRIBER: 'none',
      JOBS_POLL_INTERVAL_MS: '50',
      STREAM_ARBITRATION_WINDOW_MS: '100',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const samplesOf = async (file: string) =>
    (await t.app.get(AudioService).decode(readFileSync(file))).samples;
  const timelines = new Map<string, DeviceTimeline>();
  /**
   * Streams clips one after another on one device of a network, each starting `gap` s after the device's previous
   * one ended (DeviceTimeline: no two devices are heard at once, so arbitration stays out of it).
   */
  const streamer = (who: { session: Session; networkId: string }, deviceName: string) => {
    let device: { Authorization: string } | undefined;
    if (!timelines.has(who.networkId)) timelines.set(who.networkId, new DeviceTimeline());
    const timeline = timelines.get(who.networkId)!;
    return async (
      samples: Float32Array,
      gap = 1,
      options: { waitForGap?: boolean } = {},
    ): Promise<InteractionRow> => {
      device ??= await registerClient(t, who.session, who.networkId, deviceName);
      const mic = device;
      const chunkId = await timeline.send(
        deviceName,
        samples.length / SR,
        gap,
        (at) => streamUtterance(t, mic, who.networkId, deviceName, encodeWav16(samples, SR), at),
        options,
      );
      return waitFor(
        async () => {
          const res = await t
            .http()
            .get(`/api/v2/${who.networkId}/interactions?limit=100`)
            .set(who.session.auth);
          const row = (res.body.items as InteractionRow[]).find((i) => i.source_chunk_id === chunkId);
          return row?.processing_status === 'done' ? row : undefined;
        },
        { what: 'interaction processed', timeoutMs: 400_000 },
      );
    };
  };
  const enrolled = async (who: { session: Session; networkId: string }, name: string, speaker: string) => {
    const personId = await createPerson(t, who.session.auth, who.networkId, name);
    for (const file of librispeechDevFiles(speaker).slice(0, 3)) {
      await enrolVoice(t, who.session.auth, who.networkId, personId, file).expect(201);
    }
    return personId;
  };

  it(
    'a stranger who keeps talking becomes exactly one new person, made of several utterances, while the enrolled people stay themselves',
    async () => {
      const who = await userWithNetwork(t);
      const anna = await enrolled(who, 'Anna', '1998');
      const bert = await enrolled(who, 'Bert', '2033');
      const say = streamer(who, 'table');
      // a voice nobody enrolled (test-other-dev speaker 3080) says seven utterances; Anna and Bert speak in between
      const strangerFiles = librispeechDevFiles('3080').slice(3, 10);
      const rows: InteractionRow[] = [];
      const enrolledRows: Array<{ row: InteractionRow; personId: string }> = [];
      for (const [k, file] of strangerFiles.entries()) {
        rows.push(await say(await samplesOf(file), 2));
        if (k % 3 === 1) {
          const [personId, speaker] = k === 1 ? [anna, '1998'] : [bert, '2033'];
          const row = await say(await samplesOf(librispeechDevFiles(speaker)[3 + k]!), 2);
          enrolledRows.push({ row, personId });
        }
      }

      const persons = (
        await t.http().get(`/api/v1/${who.networkId}/persons`).set(who.session.auth).expect(200)
      ).body as Array<{ id: string; name: string | null }>;
      const made = persons.filter((p) => p.id !== anna && p.id !== bert);
      expect(made).toHaveLength(1);
      const newPerson = made[0]!;
      expect(newPerson.name).toBeNull();
      // the first utterance alone makes nobody
      expect(rows[0]!.metadata.speaker).toMatchObject({ decision: 'unknown' });
      const final = (
        await t.http().get(`/api/v2/${who.networkId}/interactions?limit=100`).set(who.session.auth)
      ).body.items as InteractionRow[];
      const now = (row: InteractionRow) => final.find((i) => i.id === row.id)!;
      const ofStranger = rows.map(now);
      // the stranger is never an enrolled person, and their utterances the person was gathered from are theirs
      expect(ofStranger.every((i) => i.person_id === null || i.person_id === newPerson.id)).toBe(true);
      const { gathering } = defaultPolicyFor(rows[0]!.metadata.speaker.model_id as string, 'as-norm');
      expect(ofStranger.filter((i) => i.person_id === newPerson.id).length).toBeGreaterThanOrEqual(
        gathering.minUtterances,
      );
      // the enrolled people's own speech never became the new person (named, or unknown at worst)
      for (const { row, personId } of enrolledRows) {
        expect([personId, null]).toContain(now(row).person_id);
      }
      const voice = (
        await t
          .http()
          .get(`/api/v1/${who.networkId}/persons/${newPerson.id}/voice`)
          .set(who.session.auth)
          .expect(200)
      ).body as Array<{ source: string }>;
      expect(voice.length).toBeGreaterThanOrEqual(gathering.minUtterances);
      expect(voice.every((v) => v.source === 'auto')).toBe(true);
      // the voiceprint is the utterances the person was gathered from and those named confidently enough to grow it
      // since, none dropped (a gathered person keeps up to gathering.voiceprintMaxSamples of them)
      const grownFrom = ofStranger.filter(
        (i) =>
          i.person_id === newPerson.id &&
          (i.metadata.speaker.decision !== 'match' || i.metadata.speaker.refined_voiceprint === true),
      );
      expect(voice).toHaveLength(Math.min(grownFrom.length, gathering.voiceprintMaxSamples!));
    },
    SLOW,
  );

  it(
    "a short segment is named from the same device's preceding turn only when it continues that turn",
    async () => {
      const who = await userWithNetwork(t);
      const anna = await enrolled(who, 'Anna', '1688');
      const bert = await enrolled(who, 'Bert', '2033');
      const annaTurn = (await samplesOf(librispeechDevFiles('1688')[TURN_UTTERANCE]!)).slice(0, 5 * SR);
      const bertTurn = (await samplesOf(librispeechDevFiles('2033')[5]!)).slice(0, 5 * SR);
      // two seconds of Anna from another utterance, heard in noise: too little evidence to name her on its own
      const other = await samplesOf(librispeechDevFiles('1688')[SEGMENT_UTTERANCE]!);
      const at = Math.floor(other.length * SEGMENT_AT);
      const segment = other.slice(at, at + Math.round(SEGMENT_SECONDS * SR));

      const alone = await streamer(who, 'hall')(segment);
      expect(alone.person_id).toBeNull();
      expect(alone.metadata.speaker).toMatchObject({ decision: 'unknown', context_used: false });

      const kitchen = streamer(who, 'kitchen');
      expect((await kitchen(annaTurn)).person_id).toBe(anna);
      const continued = await kitchen(segment, 1);
      expect(continued.person_id).toBe(anna);
      expect(continued.metadata.speaker).toMatchObject({ decision: 'match', context_used: true });
      // well after the turn ended (longer than a continuation's gap), the segment stands on its own evidence again
      const later = await kitchen(segment, 10, { waitForGap: true });
      expect(later.metadata.speaker).toMatchObject({ context_used: false });
      expect(later.person_id).toBeNull();

      // after somebody else's turn, the context favours Bert: Anna's voice must not be given his name
      const porch = streamer(who, 'porch');
      expect((await porch(bertTurn)).person_id).toBe(bert);
      const changed = await porch(segment, 1);
      expect(changed.person_id).not.toBe(bert);
      expect(changed.metadata.speaker).toMatchObject({ context_used: false });
    },
    SLOW,
  );

  it(
    'a person enrolled with an earlier speaker model is told to enrol again',
    async () => {
      const who = await userWithNetwork(t);
      const anna = await enrolled(who, 'Anna', '1998');
      const current = await t
        .http()
        .get(`/api/v1/${who.networkId}/persons/${anna}`)
        .set(who.session.auth)
        .expect(200);
      expect(current.body).toMatchObject({ has_voiceprint: true, needs_reenrolment: false });
      // another instance on the same database whose current model is a different one
      const other = await startTestApp(
        { TRANSCRIBER: 'none', SPEAKER_MODEL: 'mira-mfcc-baseline-v1' },
        { database: t.database },
      );
      try {
        const seen = await other
          .http()
          .get(`/api/v2/${who.networkId}/persons/${anna}`)
          .set(who.session.auth)
          .expect(200);
        expect(seen.body).toMatchObject({
          has_voiceprint: false,
          voiceprint_samples: 0,
          needs_reenrolment: true,
        });
      } finally {
        await other.close();
      }
    },
    SLOW,
  );
});
