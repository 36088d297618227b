import { DataSource } from 'typeorm';
import { AudioService, mixAtSnr, whiteNoise } from '@mira/audio';
import { cosine, encodeWav16 } from '@mira/core';
import { SpeakerIdentificationService, VoiceprintCipher, VoiceprintService } from '@mira/recognition';
import {
  createPerson as createPersonIn,
  startTestApp,
  TestApp,
  userWithNetwork,
  Session,
} from '../support/app.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { enrolVoice, readAudio, toneWav } from '../support/speech.js';

/** Person recognition — voice enrolment, encrypted voiceprints, merge; tenant isolation on every route. */
describe('voice enrolment and voiceprints (real speech, real ONNX, real PostgreSQL)', () => {
  let t: TestApp;
  let owner: { session: Session; networkId: string };
  let stranger: { session: Session; networkId: string };
  const [speechA, speechA2] = librispeechDevFiles('1998');
  const [speechB] = librispeechDevFiles('2033');

  const createPerson = (name: string | null = null, who = owner) =>
    createPersonIn(t, who.session.auth, who.networkId, name);
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp({ TRANSCRIBER: 'none' });
    owner = await userWithNetwork(t);
    stranger = await userWithNetwork(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('enrols a sample: 201 with speech seconds and model id, listed without any vector, counted on the person', async () => {
    const personId = await createPerson('Alice');
    const res = await t
      .http()
      .post(`/api/v2/${owner.networkId}/persons/${personId}/voice`)
      .set(owner.session.auth)
      .field('description', 'living room')
      .attach('audio_file', readAudio(speechA!), 'a.flac')
      .expect(201);
    expect(res.body).toMatchObject({
      person_id: personId,
      description: 'living room',
      source: 'enrolment',
      model_id: expect.any(String),
      current_model: true,
      weak_model: expect.any(Boolean),
    });
    expect(res.body.speech_seconds).toBeGreaterThan(1.5);
    expect(Object.keys(res.body)).not.toEqual(
      expect.arrayContaining(['embedding', 'vector', 'embedding_encrypted']),
    );

    const list = await t
      .http()
      .get(`/api/v1/${owner.networkId}/persons/${personId}/voice`)
      .set(owner.session.auth)
      .expect(200);
    expect(list.body).toHaveLength(1);
    expect(Object.keys(list.body[0]).sort()).toEqual(
      [
        'created_at',
        'current_model',
        'description',
        'id',
        'model_id',
        'person_id',
        'source',
        'speech_seconds',
      ].sort(),
    );
    const person = await t
      .http()
      .get(`/api/v1/${owner.networkId}/persons/${personId}`)
      .set(owner.session.auth)
      .expect(200);
    expect(person.body).toMatchObject({ voiceprint_samples: 1, has_voiceprint: true });
  });

  it('stores the embedding encrypted at rest: the bytes are not the float vector and decrypt only with the key', async () => {
    const personId = await createPerson();
    await enrolVoice(t, owner.session.auth, owner.networkId, personId, speechB!).expect(201);
    const [row] = (await db().query(
      'SELECT embedding_encrypted, model_id, dimension FROM voiceprints WHERE person_id = $1',
      [personId],
    )) as { embedding_encrypted: Buffer; model_id: string; dimension: number }[];
    const cipher = new VoiceprintCipher(t.config.values.voiceprints.key);
    const vector = cipher.decrypt(row!.embedding_encrypted, {
      networkId: owner.networkId,
      modelId: row!.model_id,
    });
    expect(vector).toHaveLength(row!.dimension);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 3); // a real L2-normalised embedding
    const plain = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    expect(row!.embedding_encrypted.includes(plain)).toBe(false);
    expect(row!.embedding_encrypted.includes(plain.subarray(0, 16))).toBe(false);
    expect(() =>
      cipher.decrypt(row!.embedding_encrypted, { networkId: stranger.networkId, modelId: row!.model_id }),
    ).toThrow();
  });

  it('keeps each enrolment also as heard in noise (encrypted), and names a speaker heard through 5 dB noise', async () => {
    const household = await userWithNetwork(t); // its own persons only: Anna (1998) and Ben (2033)
    const anna = await createPerson('Anna', household);
    const ben = await createPerson('Ben', household);
    await enrolVoice(t, household.session.auth, household.networkId, anna, speechA!).expect(201);
    await enrolVoice(t, household.session.auth, household.networkId, ben, speechB!).expect(201);
    const rows = (await db().query(
      'SELECT embedding_encrypted, noisy_embedding_encrypted, model_id FROM voiceprints WHERE network_id = $1',
      [household.networkId],
    )) as { embedding_encrypted: Buffer; noisy_embedding_encrypted: Buffer | null; model_id: string }[];
    expect(rows).toHaveLength(2);
    const cipher = new VoiceprintCipher(t.config.values.voiceprints.key);
    for (const row of rows) {
      const aad = { networkId: household.networkId, modelId: row.model_id };
      const inNoise = cipher.decrypt(row.noisy_embedding_encrypted!, aad);
      const clean = cipher.decrypt(row.embedding_encrypted, aad);
      expect(cosine(inNoise, clean)).toBeLessThan(0.99); // a different view of the same voice
      expect(cosine(inNoise, clean)).toBeGreaterThan(0.3);
    }
    // Anna speaks another sentence in a noisy room: measured noisy, denoised, matched against her voice in noise
    const audio = t.app.get(AudioService);
    const clip = (await audio.decode(readAudio(speechA2!))).samples;
    const heard = mixAtSnr(clip, whiteNoise(clip.length, 4242), 5);
    const snrDb = (await audio.assessQuality(heard)).snr_db;
    expect(snrDb).toBeLessThan(12);
    const { speech, speechSeconds } = await audio.extractSpeech(heard);
    const identification = await t.app
      .get(SpeakerIdentificationService)
      .identify(household.networkId, speech, speechSeconds, snrDb);
    expect(identification.scale).toBe('as-norm');
    expect(identification.decision).toMatchObject({ kind: 'match', personId: anna });
    expect(identification.decision).toMatchObject({ refine: false }); // noisy audio never feeds a voiceprint
  });

  it('refuses samples without enough speech, noise-only samples and clipped samples with clear 422 codes', async () => {
    const personId = await createPerson();
    const decoded = await t.app.get(AudioService).decode(readAudio(speechA2!));
    const short = encodeWav16(decoded.samples.subarray(0, Math.round(16_000 * 0.9)), 16_000);
    const cases: [Buffer, string][] = [
      [short, 'VOICE_SAMPLE_TOO_LITTLE_SPEECH'],
      [toneWav(3, 0), 'VOICE_SAMPLE_NO_SPEECH'],
      [toneWav(3, 1.5, 200), 'VOICE_SAMPLE_CLIPPED'],
    ];
    for (const [audio, code] of cases) {
      const res = await t
        .http()
        .post(`/api/v1/${owner.networkId}/persons/${personId}/voice`)
        .set(owner.session.auth)
        .attach('audio_file', audio, 'x.wav');
      expect({ status: res.status, code: res.body.error_code }).toEqual({ status: 422, code });
    }
    const missing = await t
      .http()
      .post(`/api/v1/${owner.networkId}/persons/${personId}/voice`)
      .set(owner.session.auth)
      .field('description', 'no file')
      .expect(422);
    expect(missing.body.error_code).toBe('AUDIO_FILE_MISSING');
    const garbage = await t
      .http()
      .post(`/api/v1/${owner.networkId}/persons/${personId}/voice`)
      .set(owner.session.auth)
      .attach('audio_file', Buffer.from('definitely not audio at all'), 'x.mp3');
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    expect(
      (await t.http().get(`/api/v1/${owner.networkId}/persons/${personId}/voice`).set(owner.session.auth))
        .body,
    ).toEqual([]);
  });

  it('answers 404 for unknown persons and samples, and for another network’s person; 422 for malformed ids', async () => {
    const personId = await createPerson();
    const foreignPerson = await createPerson('Theirs', stranger);
    const missing = '00000000-0000-4000-8000-000000000000';
    await enrolVoice(t, owner.session.auth, owner.networkId, missing, speechA!).expect(404);
    await t
      .http()
      .get(`/api/v1/${owner.networkId}/persons/${missing}/voice`)
      .set(owner.session.auth)
      .expect(404);
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/persons/${personId}/voice/${missing}`)
      .set(owner.session.auth)
      .expect(404);
    // a foreign person through my network, and my person through a foreign network
    await t
      .http()
      .get(`/api/v1/${owner.networkId}/persons/${foreignPerson}/voice`)
      .set(owner.session.auth)
      .expect(404);
    await enrolVoice(t, owner.session.auth, owner.networkId, foreignPerson, speechA!).expect(404);
    await t
      .http()
      .get(`/api/v1/${stranger.networkId}/persons/${personId}/voice`)
      .set(owner.session.auth)
      .expect(404);
    const bad = await t
      .http()
      .get(`/api/v1/${owner.networkId}/persons/not-a-uuid/voice`)
      .set(owner.session.auth)
      .expect(422);
    expect(JSON.stringify(bad.body)).toContain('person_id');
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/persons/${personId}/voice/nope`)
      .set(owner.session.auth)
      .expect(422);
    await t.http().get(`/api/v1/${owner.networkId}/persons/${personId}/voice`).expect(401);
  });

  it('deletes one sample for real, and every voiceprint with its person (FK cascade)', async () => {
    const personId = await createPerson();
    const first = await enrolVoice(t, owner.session.auth, owner.networkId, personId, speechA!).expect(201);
    await enrolVoice(t, owner.session.auth, owner.networkId, personId, speechA2!).expect(201);
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/persons/${personId}/voice/${first.body.id}`)
      .set(owner.session.auth)
      .expect(204);
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/persons/${personId}/voice/${first.body.id}`)
      .set(owner.session.auth)
      .expect(404);
    const count = async () =>
      (
        (await db().query('SELECT count(*)::int AS n FROM voiceprints WHERE person_id = $1', [personId])) as {
          n: number;
        }[]
      )[0]!.n;
    expect(await count()).toBe(1);
    await t
      .http()
      .delete(`/api/v1/${owner.networkId}/persons/${personId}`)
      .set(owner.session.auth)
      .expect(204);
    expect(await count()).toBe(0);
  });

  it('merges a person into another: voiceprints, interactions and participation move, the source is gone', async () => {
    const target = await createPerson('Bob');
    const source = await createPerson(null);
    await enrolVoice(t, owner.session.auth, owner.networkId, target, speechB!).expect(201);
    await enrolVoice(t, owner.session.auth, owner.networkId, source, speechA!).expect(201);
    const conversation = await t
      .http()
      .post(`/api/v1/${owner.networkId}/conversations`)
      .set(owner.session.auth)
      .send({ title: 'chat', participants: [source] })
      .expect(201);
    const interaction = await t
      .http()
      .post(`/api/v1/${owner.networkId}/interactions`)
      .set(owner.session.auth)
      .send({
        person_id: source,
        conversation_id: conversation.body.id,
        content: 'hello',
        interaction_type: 'text',
      })
      .expect(201);

    const merged = await t
      .http()
      .post(`/api/v1/${owner.networkId}/persons/${target}/merge`)
      .set(owner.session.auth)
      .send({ source_person_id: source })
      .expect(200);
    expect(merged.body).toMatchObject({ id: target, name: 'Bob', voiceprint_samples: 2 });
    await t.http().get(`/api/v1/${owner.networkId}/persons/${source}`).set(owner.session.auth).expect(404);
    const moved = await t
      .http()
      .get(`/api/v1/${owner.networkId}/interactions/${interaction.body.id}`)
      .set(owner.session.auth)
      .expect(200);
    expect(moved.body.person_id).toBe(target);
    const conv = await t
      .http()
      .get(`/api/v1/${owner.networkId}/conversations/${conversation.body.id}`)
      .set(owner.session.auth)
      .expect(200);
    expect(JSON.stringify(conv.body)).toContain(target);
    expect(JSON.stringify(conv.body)).not.toContain(source);
  });

  it("identification reads the voiceprints as they are now: a merge, a deleted sample and another instance's new sample count at once", async () => {
    const household = await userWithNetwork(t);
    const [dana, eli] = [await createPerson('Dana', household), await createPerson('Eli', household)];
    const enrolled = await enrolVoice(t, household.session.auth, household.networkId, dana, speechA!).expect(
      201,
    );
    const eliSample = await enrolVoice(t, household.session.auth, household.networkId, eli, speechB!).expect(
      201,
    );
    const recognition = t.app.get(VoiceprintService);
    const read = async () =>
      new Map(
        (await recognition.centroids(household.networkId, enrolled.body.model_id as string)).map((p) => [
          p.personId,
          p,
        ]),
      );
    const before = await read();
    expect([...before.keys()].sort()).toEqual([dana, eli].sort());

    await t
      .http()
      .post(`/api/v1/${household.networkId}/persons/${dana}/merge`)
      .set(household.session.auth)
      .send({ source_person_id: eli })
      .expect(200);
    const merged = await read();
    expect([...merged.keys()]).toEqual([dana]);
    expect(merged.get(dana)!.samples).toBe(2);
    expect(cosine(merged.get(dana)!.centroid, before.get(dana)!.centroid)).toBeLessThan(0.999);

    await t
      .http()
      .delete(`/api/v1/${household.networkId}/persons/${dana}/voice/${eliSample.body.id}`)
      .set(household.session.auth)
      .expect(204);
    const afterDelete = await read();
    expect(afterDelete.get(dana)!.samples).toBe(1);
    // and its decrypted vectors are no longer held in memory
    const held = (recognition as unknown as { decrypted: { has(id: string): boolean } }).decrypted;
    expect(held.has(enrolled.body.id as string)).toBe(true);
    expect(held.has(eliSample.body.id as string)).toBe(false);
    expect(cosine(afterDelete.get(dana)!.centroid, before.get(dana)!.centroid)).toBeCloseTo(1, 6);

    // a sample written by another instance (this process never saw it): a copy of Dana's first sample
    await db().query(
      `INSERT INTO voiceprints (network_id, person_id, model_id, dimension, embedding_encrypted, speech_seconds, source)
       SELECT network_id, person_id, model_id, dimension, embedding_encrypted, speech_seconds, 'enrolment'
       FROM voiceprints WHERE id = $1`,
      [enrolled.body.id],
    );
    expect((await read()).get(dana)!.samples).toBe(2);
  });

  it('refuses bad merges: itself (422), a missing or foreign source (404), a malformed source id (422)', async () => {
    const target = await createPerson();
    const foreign = await createPerson(null, stranger);
    const merge = (id: string, body: unknown, who = owner) =>
      t
        .http()
        .post(`/api/v1/${who.networkId}/persons/${id}/merge`)
        .set(who.session.auth)
        .send(body as object);
    expect((await merge(target, { source_person_id: target })).body.error_code).toBe('PERSON_MERGE_SELF');
    expect((await merge(target, { source_person_id: foreign })).status).toBe(404);
    expect((await merge(target, { source_person_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(
      404,
    );
    expect((await merge(target, { source_person_id: 'x' })).status).toBe(422);
    expect((await merge(target, {})).status).toBe(422);
    expect((await merge(target, { source_person_id: foreign }, stranger)).status).toBe(404);
    await t
      .http()
      .get(`/api/v1/${stranger.networkId}/persons/${foreign}`)
      .set(stranger.session.auth)
      .expect(200);
  });
});
