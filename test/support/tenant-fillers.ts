import { DataSource } from 'typeorm';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { type FillerContext, registerIdFiller, exemptInput } from './tenant-matrix.js';

/**
 * How the tenant matrix gets real ids of each kind in a network. Add one for every new id parameter your
 * routes take (path, uuid query parameter or uuid body property, by name).
 */
let clientCounter = 0;

registerIdFiller('client_id', {
  async seed({ t, tenant }) {
    clientCounter += 1;
    const name = `matrix-${clientCounter}`;
    await t
      .http()
      .post(`/api/v1/${tenant.networkId}/service/client/register/${name}`)
      .set(tenant.auth)
      .expect(201);
    return name;
  },
  random: () => `no-such-client-${Math.random().toString(36).slice(2, 8)}`,
});

// Devices named in bodies (phone signal reports): the phone that measured, the device measured.
for (const name of ['phone_client_id', 'target_client_id']) {
  registerIdFiller(name, {
    seed: ({ idOf }) => idOf('client_id'),
    random: () => `no-such-client-${Math.random().toString(36).slice(2, 8)}`,
  });
}

/** A new person of the tenant's network. */
async function createPerson({ t, tenant }: FillerContext): Promise<string> {
  const res = await t
    .http()
    .post(`/api/v1/${tenant.networkId}/persons`)
    .set(tenant.auth)
    .send({})
    .expect(201);
  return res.body.id as string;
}

registerIdFiller('person_id', { seed: createPerson });

// Conversation participants are person ids.
registerIdFiller('participants', {
  seed: ({ idOf }) => idOf('person_id'),
});

registerIdFiller('conversation_id', {
  async seed({ t, tenant, idOf }) {
    const res = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/conversations`)
      .set(tenant.auth)
      .send({ title: 'matrix', participants: [await idOf('person_id')] })
      .expect(201);
    return res.body.id as string;
  },
});

registerIdFiller('interaction_id', {
  async seed({ t, tenant, idOf }) {
    const res = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/interactions`)
      .set(tenant.auth)
      .send({
        interaction_type: 'text',
        content: 'matrix',
        person_id: await idOf('person_id'),
        conversation_id: await idOf('conversation_id'),
      })
      .expect(201);
    return res.body.id as string;
  },
});

for (const v of ['v1', 'v2']) {
  exemptInput(
    `POST /api/${v}/{network_id}/service/client/register/{client_id}`,
    'client_id',
    "client_id names a device to CREATE in the caller's own network (names are per network); the network_id " +
      'variants still run',
  );
}

// Recognition: voiceprint samples, merge sources, actions.
registerIdFiller('sample_id', {
  async seed({ t, tenant, idOf }) {
    const { readFileSync } = await import('node:fs');
    const file = librispeechDevFiles('1688')[0]!;
    const res = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/persons/${await idOf('person_id')}/voice`)
      .set(tenant.auth)
      .attach('audio_file', readFileSync(file), 'sample.flac')
      .expect(201);
    return res.body.id as string;
  },
});

// A merge source is a person other than the target (person_id): one of its own.
registerIdFiller('source_person_id', { seed: createPerson });

registerIdFiller('action_id', {
  async seed({ t, tenant }) {
    const interaction = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/interactions`)
      .set(tenant.auth)
      .send({ interaction_type: 'text', content: 'Remind me to call mom tomorrow' })
      .expect(201);
    // Without GEMINI_API_KEY the offline rules find this reminder.
    const res = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/interactions/${interaction.body.id}/inference`)
      .set(tenant.auth)
      .expect(201);
    return res.body.action.id as string;
  },
});

// Streams: a stream exists once a device of the network has sent audio on it (stream ids are per network).
let streamCounter = 0;
registerIdFiller('stream_id', {
  async seed({ t, tenant }) {
    const { readFileSync } = await import('node:fs');
    streamCounter += 1;
    const device = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/service/client/register/matrix-mic-${streamCounter}`)
      .set(tenant.auth)
      .expect(201);
    const file = librispeechDevFiles('533')[0]!;
    const stream = `matrix-stream-${streamCounter}`;
    await t
      .http()
      .post(`/api/v1/${tenant.networkId}/streams/${stream}/audio`)
      .set({ Authorization: `Bearer ${device.body.client_token}` })
      .field('timestamp', new Date().toISOString())
      .attach('audio_data', readFileSync(file), 'chunk.flac')
      .expect(200);
    // Let the pipeline finish with this chunk (arbitration, utterance.process) so that no background job changes
    // tables while the matrix compares digests; only far-future jobs (idle conversation close) stay queued.
    const db = t.app.get(DataSource);
    const deadline = Date.now() + 120_000;
    for (;;) {
      // Time passes: the processed chunk's audio retention ends now rather than in two minutes (mid-matrix).
      await db.query(
        `UPDATE jobs SET run_at = now() WHERE network_id = $1 AND type = 'utterance.release_audio' AND status = 'queued'`,
        [tenant.networkId],
      );
      const [row] = (await db.query(
        `SELECT (SELECT count(*)::int FROM jobs WHERE network_id = $1 AND status IN ('queued', 'running')
                   AND run_at <= now() + interval '60 seconds') AS busy,
                (SELECT count(*)::int FROM interactions WHERE network_id = $1 AND processing_status = 'done') AS done,
                (SELECT count(*)::int FROM jobs WHERE network_id = $1 AND type = 'utterance.release_audio'
                   AND status = 'done') AS released`,
        [tenant.networkId],
      )) as { busy: number; done: number; released: number }[];
      if (row!.busy === 0 && row!.done > 0 && row!.released > 0) break;
      if (Date.now() > deadline) throw new Error('stream filler: the pipeline did not settle');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return stream;
  },
  random: () => `no-such-stream-${Math.random().toString(36).slice(2, 8)}`,
});
for (const v of ['v1', 'v2']) {
  exemptInput(
    `POST /api/${v}/{network_id}/streams/{stream_id}/audio`,
    'stream_id',
    "stream_id names a device stream that the first upload CREATES in the caller's own network (names are per " +
      'network, and only device tokens of that network may upload); the network_id variants still run',
  );
  exemptInput(
    `GET /api/${v}/{network_id}/streams/{stream_id}/ws`,
    'stream_id',
    'the live audio socket: a plain GET answers 426 whatever the stream; on the socket the stream id names a ' +
      "stream of the device's own network, created on first use like the upload's; the network_id variants still run",
  );
}

// The apps' interaction bootstrap filters by several conversations at once (query key repeated).
registerIdFiller('conversation_ids', {
  seed: ({ idOf }) => idOf('conversation_id'),
});

// Recordings: one short recording, processed to the end (so no job changes tables while the matrix compares).
registerIdFiller('recording_id', {
  async seed({ t, tenant }) {
    const { readFileSync } = await import('node:fs');
    const file = librispeechDevFiles('533')[1]!;
    const res = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/recordings`)
      .set(tenant.auth)
      .attach('audio', readFileSync(file), 'recording.flac')
      .expect(202);
    const db = t.app.get(DataSource);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const [row] = (await db.query(
        `SELECT (SELECT status FROM recordings WHERE id = $2) AS status,
                (SELECT count(*)::int FROM jobs WHERE network_id = $1 AND status IN ('queued', 'running')
                   AND run_at <= now() + interval '60 seconds') AS busy`,
        [tenant.networkId, res.body.recording_id],
      )) as { status: string; busy: number }[];
      if (row!.status === 'done' && row!.busy === 0) break;
      if (row!.status === 'failed' || Date.now() > deadline) {
        throw new Error(`recording filler: the recording did not finish (${row!.status})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return res.body.recording_id as string;
  },
});

registerIdFiller('task_id', {
  async seed({ t, tenant, idOf }) {
    const recording = await t
      .http()
      .get(`/api/v1/${tenant.networkId}/recordings/${await idOf('recording_id')}`)
      .set(tenant.auth)
      .expect(200);
    return recording.body.task_id as string;
  },
});

// Device names in the account door's bodies that the route gives rather than looks up: the variants naming another
// network's device would only create (or rename to) that name in the caller's own network, where names are per
// network. The X-Network-Id variants still run, and every body that names an existing device stays covered.
for (const v of ['v1', 'v2']) {
  exemptInput(
    `POST /api/${v}/service/clients`,
    'client_id',
    "client_id is the name the route REGISTERS a device under, in the caller's own network",
  );
  exemptInput(
    `PATCH /api/${v}/service/clients/{client_id}/rename`,
    'new_client_id',
    "new_client_id is the name the route GIVES the caller's own device",
  );
}
