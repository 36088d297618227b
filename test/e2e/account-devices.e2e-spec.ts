import { DataSource } from 'typeorm';
import { NetworkAccessPort } from '@mira/core';
import { NetworkService } from '@mira/network';
import { createNetwork, registerUser, startTestApp, TestApp } from '../support/app.js';

/**
 * The account is the assistant. A user token resolves to one network (created on first use, exactly once
 * however many requests race), and devices are named the way the shipped apps name them (registered on first
 * sight, server-assigned client1, client2, …, renamed, listed).
 */
describe('account network and app devices (services on a real database)', () => {
  let t: TestApp;
  let access: NetworkAccessPort;
  let networks: NetworkService;

  beforeAll(async () => {
    t = await startTestApp();
    access = t.app.get(NetworkAccessPort);
    networks = t.app.get(NetworkService);
  }, 180_000); // a whole app on a busy machine

  afterAll(async () => t.close());

  const ownedBy = async (userId: string) =>
    (
      (await t.app
        .get(DataSource)
        .query(`SELECT id FROM networks WHERE owner_id = $1 ORDER BY created_at, id`, [userId])) as {
        id: string;
      }[]
    ).map((r) => r.id);

  it('creates one network for an account that owns none, even when twenty first requests race', async () => {
    const user = await registerUser(t);
    expect(await ownedBy(user.userId)).toEqual([]);
    const resolved = await Promise.all(
      Array.from({ length: 20 }, () => access.accountNetwork(user.userId, null)),
    );
    const owned = await ownedBy(user.userId);
    expect(owned).toHaveLength(1);
    expect(new Set(resolved)).toEqual(new Set(owned));
    // and the next request finds it
    expect(await access.accountNetwork(user.userId, null)).toBe(owned[0]);
  });

  it('uses the oldest owned network by default, a requested one when owned, and nothing for a foreign one', async () => {
    const user = await registerUser(t);
    const first = await createNetwork(t, user, 'First');
    const second = await createNetwork(t, user, 'Second');
    const other = await registerUser(t);
    const foreign = await createNetwork(t, other, 'Not yours');
    expect(await access.accountNetwork(user.userId, null)).toBe(first);
    expect(await access.accountNetwork(user.userId, second)).toBe(second);
    expect(await access.accountNetwork(user.userId, foreign)).toBeNull();
    expect(await ownedBy(user.userId)).toEqual([first, second]);
  });

  it('assigns client1, client2, … to devices registered without a name, filling the lowest free number', async () => {
    const user = await registerUser(t);
    const networkId = await createNetwork(t, user);
    const names = await Promise.all(
      Array.from({ length: 5 }, () => networks.registerDevice(networkId, null, {})),
    );
    expect(names.map((d) => d.clientId).sort()).toEqual([
      'client1',
      'client2',
      'client3',
      'client4',
      'client5',
    ]);
    await networks.deregisterClient(networkId, 'client2');
    expect((await networks.registerDevice(networkId, null, { local_ip: '10.0.0.2' })).clientId).toBe(
      'client2',
    );
    expect((await networks.registerDevice(networkId, 'client9', {})).clientId).toBe('client9');
    expect((await networks.registerDevice(networkId, null, {})).clientId).toBe('client6');
  });

  it('registers a name once, answers 409 for a second registration, and keeps what the device said', async () => {
    const user = await registerUser(t);
    const networkId = await createNetwork(t, user);
    const device = await networks.registerDevice(networkId, 'desktop-client', { local_ip: '127.0.0.1' });
    expect(device).toMatchObject({ clientId: 'desktop-client', metadata: { local_ip: '127.0.0.1' } });
    await expect(networks.registerDevice(networkId, 'desktop-client', {})).rejects.toMatchObject({
      status: 409,
      code: 'CLIENT_ALREADY_REGISTERED',
    });
  });

  it('makes a name first seen on an upload or a socket a device, once, however many sightings race', async () => {
    const user = await registerUser(t);
    const networkId = await createNetwork(t, user);
    await Promise.all(Array.from({ length: 10 }, () => networks.ensureDevice(networkId, 'client-1a2b3c4d')));
    await networks.ensureDevice(networkId, 'client-1a2b3c4d');
    expect(await networks.deviceNames(networkId)).toEqual(['client-1a2b3c4d']);
    const rows = (await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM clients WHERE network_id = $1`, [networkId])) as { n: number }[];
    expect(rows[0]!.n).toBe(1);
  });

  it('renames a device (404 for an unknown name, 409 for a taken one) and lists active names only', async () => {
    const user = await registerUser(t);
    const networkId = await createNetwork(t, user);
    await networks.registerDevice(networkId, 'kitchen', {});
    await networks.registerDevice(networkId, 'desk', {});
    expect((await networks.renameDevice(networkId, 'kitchen', "Ada's laptop")).clientId).toBe("Ada's laptop");
    expect((await networks.renameDevice(networkId, 'desk', 'desk')).clientId).toBe('desk');
    await expect(networks.renameDevice(networkId, 'desk', "Ada's laptop")).rejects.toMatchObject({
      status: 409,
    });
    await expect(networks.renameDevice(networkId, 'kitchen', 'hall')).rejects.toMatchObject({ status: 404 });
    await networks.deregisterClient(networkId, 'desk');
    expect(await networks.deviceNames(networkId)).toEqual(["Ada's laptop"]);
  });
});
