import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ClientEntity } from './client.entity.js';
import { NetworkEntity } from './network.entity.js';

/** The only place that touches the networks and clients tables. */
@Injectable()
export class NetworkRepository {
  constructor(
    @InjectRepository(NetworkEntity) private readonly networks: Repository<NetworkEntity>,
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
  ) {}

  createNetwork(ownerId: string, name: string): Promise<NetworkEntity> {
    return this.networks.save(this.networks.create({ ownerId, name }));
  }

  listOwned(ownerId: string, limit: number, offset: number): Promise<[NetworkEntity[], number]> {
    return this.networks.findAndCount({
      where: { ownerId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  findNetwork(id: string): Promise<NetworkEntity | null> {
    return this.networks.findOne({ where: { id } });
  }

  async ownsNetwork(ownerId: string, id: string): Promise<boolean> {
    return (await this.networks.count({ where: { id, ownerId } })) > 0;
  }

  saveNetwork(network: NetworkEntity): Promise<NetworkEntity> {
    return this.networks.save(network);
  }

  /** Deletes the network; foreign keys cascade to everything it owns. */
  async deleteNetwork(id: string): Promise<boolean> {
    const result = await this.networks.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** Network ids in id order after `after` (keyset pagination for sweeps over every network). */
  async listIdsAfter(after: string | undefined, limit: number): Promise<string[]> {
    const rows = (await this.networks.query(
      `SELECT id FROM networks WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [after ?? null, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  findActiveClient(networkId: string, clientId: string): Promise<ClientEntity | null> {
    return this.clients.findOne({ where: { networkId, clientId, revokedAt: IsNull() } });
  }

  async hasAnyClientNamed(networkId: string, clientId: string): Promise<boolean> {
    return (await this.clients.count({ where: { networkId, clientId } })) > 0;
  }

  /** Inserts a client unless an active one with the same name exists (partial unique index). */
  async insertClient(networkId: string, clientId: string, tokenHash: string): Promise<ClientEntity | null> {
    const rows = (await this.clients.query(
      `INSERT INTO clients (network_id, client_id, token_hash) VALUES ($1, $2, $3)
       ON CONFLICT (network_id, client_id) WHERE revoked_at IS NULL DO NOTHING RETURNING id`,
      [networkId, clientId, tokenHash],
    )) as { id: string }[];
    if (!rows[0]) return null;
    return this.clients.findOne({ where: { networkId, id: rows[0].id } });
  }

  async revokeClient(networkId: string, clientId: string): Promise<boolean> {
    const result = await this.clients.update(
      { networkId, clientId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  findClientByTokenHash(tokenHash: string): Promise<ClientEntity | null> {
    return this.clients.findOne({ where: { tokenHash } });
  }

  listActiveClients(networkId: string): Promise<ClientEntity[]> {
    return this.clients.find({
      where: { networkId, revokedAt: IsNull() },
      order: { registeredAt: 'ASC', id: 'ASC' },
    });
  }

  async touchClient(networkId: string, id: string, at: Date): Promise<void> {
    await this.clients.update({ networkId, id }, { lastSeenAt: at });
  }
}
