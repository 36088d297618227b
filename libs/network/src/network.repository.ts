import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { isUniqueViolation } from '@mira/core';
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

  /** The user's oldest network (networks_owner_idx), or null. */
  oldestOwned(ownerId: string): Promise<NetworkEntity | null> {
    return this.networks.findOne({ where: { ownerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * The user's oldest network, creating one named `name` when the user owns none. Callers racing for the same user
   * take turns on a transaction-scoped advisory lock, so exactly one network is created.
   */
  async oldestOwnedOrCreate(ownerId: string, name: string): Promise<NetworkEntity> {
    return this.networks.manager.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('account-network:' || $1::text))`, [ownerId]);
      const repo = m.getRepository(NetworkEntity);
      const existing = await repo.findOne({ where: { ownerId }, order: { createdAt: 'ASC', id: 'ASC' } });
      return existing ?? repo.save(repo.create({ ownerId, name }));
    });
  }

  findNetwork(id: string): Promise<NetworkEntity | null> {
    return this.networks.findOne({ where: { id } });
  }

  /** The network's settings column alone (read on every interaction written); null when there is no network. */
  async findSettings(id: string): Promise<Record<string, unknown> | null> {
    const rows = (await this.networks.query(`SELECT settings FROM networks WHERE id = $1`, [id])) as {
      settings: Record<string, unknown> | null;
    }[];
    return rows.length === 0 ? null : (rows[0]!.settings ?? {});
  }

  async ownsNetwork(ownerId: string, id: string): Promise<boolean> {
    const rows = (await this.networks.query(`SELECT 1 FROM networks WHERE id = $1 AND owner_id = $2`, [
      id,
      ownerId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /**
   * The access guard's question for a user token on a network route, in one round trip: is the user active
   * (users.is_active; a deleted user has no row) with the token's sign-in session still open (its refresh-token
   * family holds an unused, unexpired token; as IdentityRepository.sessionIsLive), and does the user own the network.
   * `liveUntil` is when the session's last live refresh token expires (null: not live), unless it ends sooner.
   */
  async userAccess(
    userId: string,
    sessionId: string,
    networkId: string,
  ): Promise<{ live: boolean; ownsNetwork: boolean; liveUntil: Date | null }> {
    const rows = (await this.networks.query(
      `SELECT u.is_active AS active, s.live_until,
              EXISTS (SELECT 1 FROM networks n WHERE n.id = $3 AND n.owner_id = u.id) AS owns
         FROM users u,
              LATERAL (SELECT max(r.expires_at) AS live_until FROM refresh_tokens r
                        WHERE r.family_id = $2 AND r.user_id = u.id AND r.revoked_at IS NULL
                          AND r.expires_at > now()) AS s
        WHERE u.id = $1`,
      [userId, sessionId, networkId],
    )) as { active: boolean; live_until: Date | null; owns: boolean }[];
    const row = rows[0];
    const liveUntil = row?.live_until ?? null;
    return { live: row?.active === true && liveUntil !== null, ownsNetwork: row?.owns === true, liveUntil };
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
  async insertClient(
    networkId: string,
    clientId: string,
    tokenHash: string,
    metadata: Record<string, unknown> = {},
  ): Promise<ClientEntity | null> {
    const rows = (await this.clients.query(
      `INSERT INTO clients (network_id, client_id, token_hash, metadata) VALUES ($1, $2, $3, $4)
       ON CONFLICT (network_id, client_id) WHERE revoked_at IS NULL DO NOTHING RETURNING id`,
      [networkId, clientId, tokenHash, JSON.stringify(metadata)],
    )) as { id: string }[];
    if (!rows[0]) return null;
    return this.clients.findOne({ where: { networkId, id: rows[0].id } });
  }

  /** Revokes the active client of that name; answers its row id, or null when none was active. */
  async revokeClient(networkId: string, clientId: string): Promise<string | null> {
    const result = await this.clients
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('network_id = :networkId AND client_id = :clientId AND revoked_at IS NULL', {
        networkId,
        clientId,
      })
      .returning('id')
      .execute();
    return (result.raw as Array<{ id: string }>)[0]?.id ?? null;
  }

  /**
   * Renames an active client; null when no active client has the old name, 'taken' when an active one has the new
   * name (the partial unique index decides, so two renames racing for one name cannot both win).
   */
  async renameClient(networkId: string, from: string, to: string): Promise<ClientEntity | null | 'taken'> {
    try {
      const result = await this.clients.update(
        { networkId, clientId: from, revokedAt: IsNull() },
        { clientId: to },
      );
      if ((result.affected ?? 0) === 0) return null;
    } catch (err) {
      if (isUniqueViolation(err)) return 'taken';
      throw err;
    }
    return this.findActiveClient(networkId, to);
  }

  /** Active names of the form `<prefix><n>` (n a positive integer), for picking the next free one. */
  async activeNumberedNames(networkId: string, prefix: string): Promise<number[]> {
    const rows = (await this.clients.query(
      `SELECT substr(client_id, $3) AS n FROM clients
       WHERE network_id = $1 AND revoked_at IS NULL AND client_id ~ $2`,
      [networkId, `^${prefix}[1-9][0-9]{0,8}$`, prefix.length + 1],
    )) as { n: string }[];
    return rows.map((r) => Number(r.n));
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
