import { DataSource } from 'typeorm';
import { registerIdFiller, exemptInput } from './tenant-matrix.js';
import { waitFor } from './wait.js';

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

registerIdFiller('person_id', {
  async seed({ t, tenant }) {
    const res = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/persons`)
      .set(tenant.auth)
      .send({})
      .expect(201);
    return res.body.id as string;
  },
});

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

// Streams are created by a device's first upload; the filler registers a device and uploads 0.5 s of quiet noise.
let streamCounter = 0;
registerIdFiller('stream_id', {
  async seed({ t, tenant }) {
    streamCounter += 1;
    const name = `matrix-stream-${streamCounter}`;
    const device = await t
      .http()
      .post(`/api/v1/${tenant.networkId}/service/client/register/${name}`)
      .set(tenant.auth)
      .expect(201);
    const samples = Buffer.alloc(8000 * 2);
    for (let i = 0; i < 8000; i++) samples.writeInt16LE(Math.round((Math.random() - 0.5) * 200), i * 2);
    await t
      .http()
      .post(`/api/v1/${tenant.networkId}/streams/${name}/audio`)
      .set({ Authorization: `Bearer ${device.body.client_token as string}` })
      .attach('audio_data', samples, { filename: 'chunk.pcm', contentType: 'application/octet-stream' })
      .field('timestamp', String(Date.now() - 500))
      .expect(200);
    // The chunk is arbitrated in the background: wait for it so the matrix's "nothing changes" digests hold.
    const db = t.app.get(DataSource);
    await waitFor(
      async () =>
        (
          (await db.query(
            `SELECT count(*)::int AS n FROM stream_chunks WHERE network_id = $1 AND status = 'pending'`,
            [tenant.networkId],
          )) as { n: number }[]
        )[0]?.n === 0,
      { what: 'seeded stream chunk decided' },
    );
    return name;
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
}
