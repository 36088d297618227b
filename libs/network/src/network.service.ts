import { Injectable } from '@nestjs/common';
import { AuditService } from '@mira/audit';
import {
  AccessCache,
  AppLogger,
  CLIENT_TOKEN_PREFIX,
  CommonErrors,
  RealtimePublisher,
  TokenService,
} from '@mira/core';
import { NetworkErrors } from './network.errors.js';
import { NetworkRepository } from './network.repository.js';
import type { Device, Network, NetworkChanges, NetworkDevices } from './network.types.js';

const ACTIVE_WINDOW_MS = 5 * 60 * 1000;
/** Names the server gives devices registered without one: client1, client2, … */
const ASSIGNED_PREFIX = 'client';

/**
 * Networks and their devices. Callers have already passed the access guard for {network_id};
 * lookups here are still scoped by network so a mistake elsewhere cannot leak across tenants.
 */
@Injectable()
export class NetworkService {
  constructor(
    private readonly repository: NetworkRepository,
    private readonly tokens: TokenService,
    private readonly logger: AppLogger,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    private readonly accessCache: AccessCache,
  ) {}

  async create(ownerId: string, name: string): Promise<Network> {
    const network = await this.repository.createNetwork(ownerId, name);
    this.logger.info('network_created', { network_id: network.id });
    return network;
  }

  async listOwned(
    ownerId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: Network[]; total: number }> {
    const [rows, total] = await this.repository.listOwned(ownerId, limit, offset);
    return { items: rows, total };
  }

  get(networkId: string): Promise<Network> {
    return this.require(networkId);
  }

  /** Network settings as stored (other modules read their own keys). */
  async settings(networkId: string): Promise<Record<string, unknown>> {
    const settings = await this.repository.findSettings(networkId);
    if (settings === null) throw NetworkErrors.networkNotFound();
    return settings;
  }

  /** From the access cache when it holds the switch (every chunk asks), otherwise one query whose answer is kept. */
  async isServiceEnabled(networkId: string): Promise<boolean> {
    const cached = this.accessCache.serviceEnabled(networkId);
    if (cached !== undefined) return cached;
    const stamp = this.accessCache.stamp();
    const enabled = (await this.require(networkId)).serviceEnabled;
    this.accessCache.rememberServiceEnabled(stamp, networkId, enabled);
    return enabled;
  }

  async update(networkId: string, changes: NetworkChanges): Promise<Network> {
    const network = await this.require(networkId);
    const wasEnabled = network.serviceEnabled;
    if (changes.name !== undefined) network.name = changes.name;
    if (changes.service_enabled !== undefined) network.serviceEnabled = changes.service_enabled;
    if (changes.settings !== undefined) {
      const days = changes.settings['retention_days'];
      if (
        days !== undefined &&
        days !== null &&
        !(Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 36_500)
      ) {
        throw CommonErrors.validation('settings.retention_days must be an integer between 1 and 36500', [
          { field: 'settings.retention_days', messages: ['must be an integer between 1 and 36500, or null'] },
        ]);
      }
      const merged: Record<string, unknown> = { ...(network.settings ?? {}) };
      for (const [key, value] of Object.entries(changes.settings)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      network.settings = merged;
    }
    if (changes.retention_days !== undefined) {
      const settings = { ...(network.settings ?? {}) };
      if (changes.retention_days === null) delete settings['retention_days'];
      else settings['retention_days'] = changes.retention_days;
      network.settings = settings;
    }
    const saved = await this.repository.saveNetwork(network);
    if (saved.serviceEnabled !== wasEnabled) {
      this.accessCache.forgetNetwork(networkId); // other instances hear the database's notice
      await this.realtime.publish(networkId, 'service_status', { enabled: saved.serviceEnabled });
    }
    return saved;
  }

  /** Audit rows have no cascade from networks, so the deletion's own record survives it. */
  async delete(networkId: string): Promise<void> {
    if (!(await this.repository.deleteNetwork(networkId))) throw NetworkErrors.networkNotFound();
    this.accessCache.forgetNetwork(networkId);
    this.logger.info('network_deleted', { network_id: networkId });
    await this.audit.record({
      networkId,
      action: 'network.deleted',
      targetType: 'network',
      targetId: networkId,
    });
  }

  /** Every network id, a page at a time in id order (for sweeps). */
  listIdsAfter(after: string | undefined, limit: number): Promise<string[]> {
    return this.repository.listIdsAfter(after, limit);
  }

  async setServiceEnabled(networkId: string, enabled: boolean): Promise<void> {
    const network = await this.require(networkId);
    network.serviceEnabled = enabled;
    await this.repository.saveNetwork(network);
    this.accessCache.forgetNetwork(networkId); // other instances hear the database's notice
    // Always, also when it was already in that state: the apps wait for this event after every switch.
    await this.realtime.publish(networkId, 'service_status', { enabled });
  }

  /** Registers a device and answers its token (shown once: only its hash is stored). */
  async registerClient(networkId: string, clientId: string): Promise<{ device: Device; token: string }> {
    await this.require(networkId);
    const { client, token } = await this.insertDevice(networkId, clientId, {});
    if (!client) throw NetworkErrors.clientAlreadyRegistered(clientId);
    return { device: client, token };
  }

  // --- devices as the shipped apps name them (the account door and the realtime socket) ------------------------

  /**
   * Registers a device by name, or under the next free `client<n>` when no name is given; 409 when the name is an
   * active device. The device gets a token like any other, but it is not handed out: the apps act with the
   * account's token.
   */
  async registerDevice(
    networkId: string,
    clientId: string | null,
    metadata: Record<string, unknown>,
  ): Promise<Device> {
    await this.require(networkId);
    if (clientId !== null) {
      const { client } = await this.insertDevice(networkId, clientId, metadata);
      if (!client) throw NetworkErrors.clientAlreadyRegistered(clientId);
      return client;
    }
    // Two registrations racing for the same number: the loser tries the next one.
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const taken = new Set(await this.repository.activeNumberedNames(networkId, ASSIGNED_PREFIX));
      let n = 1;
      while (taken.has(n)) n += 1;
      const { client } = await this.insertDevice(networkId, `${ASSIGNED_PREFIX}${n}`, metadata);
      if (client) return client;
    }
    throw CommonErrors.conflict('CLIENT_NAME_CONTENDED', 'Could not assign a device name; retry');
  }

  /**
   * Makes a device name seen on an upload or a socket a device of the network when it is not an active one yet
   * (idempotent; concurrent first sightings register it once).
   */
  async ensureDevice(networkId: string, clientId: string): Promise<void> {
    if (await this.repository.findActiveClient(networkId, clientId)) return;
    const { client } = await this.insertDevice(networkId, clientId, {});
    if (client) this.logger.info('client_registered_on_first_use', { network_id: networkId });
  }

  /** Names of the active devices, oldest first. */
  async deviceNames(networkId: string): Promise<string[]> {
    return (await this.repository.listActiveClients(networkId)).map((c) => c.clientId);
  }

  async device(networkId: string, clientId: string): Promise<Device> {
    const client = await this.repository.findActiveClient(networkId, clientId);
    if (!client) throw NetworkErrors.clientNotFound(clientId);
    return client;
  }

  /** Renames an active device (its token and history stay); 404 unknown name, 409 new name already active. */
  async renameDevice(networkId: string, clientId: string, newClientId: string): Promise<Device> {
    if (newClientId === clientId) return this.device(networkId, clientId);
    const renamed = await this.repository.renameClient(networkId, clientId, newClientId);
    if (renamed === 'taken') throw NetworkErrors.clientAlreadyRegistered(newClientId);
    if (!renamed) throw NetworkErrors.clientNotFound(clientId);
    this.accessCache.forgetNetwork(networkId); // its token now stands for the new name
    this.logger.info('client_renamed', { network_id: networkId, client_row_id: renamed.id });
    return renamed;
  }

  /** Revokes the device's token. Repeating it answers the same; a name never registered is a 404. */
  async deregisterClient(networkId: string, clientId: string): Promise<void> {
    const revoked = await this.repository.revokeClient(networkId, clientId);
    if (!revoked && !(await this.repository.hasAnyClientNamed(networkId, clientId))) {
      throw NetworkErrors.clientNotFound(clientId);
    }
    if (revoked) {
      this.accessCache.forgetNetwork(networkId); // its token is refused here at once, elsewhere on the notice
      this.logger.info('client_deregistered', { network_id: networkId });
      await this.audit.record({
        networkId,
        action: 'client.revoked',
        targetType: 'client',
        targetId: clientId,
      });
      // sockets opened with this device's token close on every instance (the token was checked at connect)
      await this.realtime.publish(networkId, 'device_revoked', { id: revoked });
    }
  }

  async info(networkId: string): Promise<NetworkDevices> {
    const network = await this.require(networkId);
    const devices = await this.repository.listActiveClients(networkId);
    const now = Date.now();
    return {
      network,
      devices,
      activeCount: devices.filter((c) => c.lastSeenAt && now - c.lastSeenAt.getTime() < ACTIVE_WINDOW_MS)
        .length,
    };
  }

  /** True when the client name is registered and not revoked in this network. */
  async isClientRegistered(networkId: string, clientId: string): Promise<boolean> {
    return (await this.repository.findActiveClient(networkId, clientId)) !== null;
  }

  private async insertDevice(
    networkId: string,
    clientId: string,
    metadata: Record<string, unknown>,
  ): Promise<{ client: Device | null; token: string }> {
    const { token, hash } = this.tokens.mintOpaqueToken(CLIENT_TOKEN_PREFIX);
    const client = await this.repository.insertClient(networkId, clientId, hash, metadata);
    if (!client) return { client: null, token };
    this.logger.info('client_registered', { network_id: networkId, client_row_id: client.id });
    await this.audit.record({
      networkId,
      action: 'client.registered',
      targetType: 'client',
      targetId: clientId,
      details: { client_row_id: client.id },
    });
    return { client, token };
  }

  private async require(networkId: string): Promise<Network> {
    const network = await this.repository.findNetwork(networkId);
    if (!network) throw NetworkErrors.networkNotFound();
    return network;
  }
}
