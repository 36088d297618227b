import { registerIdFiller, exemptInput } from './tenant-matrix.js';

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
