import { Injectable } from '@nestjs/common';
import { AuditService } from '@mira/audit';
import { AccessCache, AppLogger, RealtimePublisher, type Tx } from '@mira/core';
import type { AccountDataDeleted, AccountDeletionHook } from '@mira/identity';
import { NetworkAccountRepository } from './network-account.repository.js';

/**
 * An account's networks go with it, and everything in them by foreign-key cascade (devices, persons, voiceprints,
 * audio, interactions, conversations, actions, memories, jobs, tombstones, …), as do their audit rows (which have no
 * foreign key, so that a network's own deletion keeps its record) and the shared rate-limit counters keyed by them.
 * Once committed, every instance closes the networks' sockets, and this instance forgets what it kept about them (a
 * device token's device among it) without waiting for the database's notices, as the other instances do.
 */
@Injectable()
export class NetworkAccountHooks implements AccountDeletionHook {
  constructor(
    private readonly repository: NetworkAccountRepository,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    private readonly logger: AppLogger,
    private readonly accessCache: AccessCache,
  ) {}

  async deleteAccountData(tx: Tx, userId: string): Promise<AccountDataDeleted> {
    const networkIds = await this.repository.owned(userId, tx);
    if (networkIds.length === 0) return { counts: {} };
    const deviceRowIds = await this.repository.deviceRowIds(networkIds, tx);
    const counts = { networks: networkIds.length, ...(await this.repository.countRows(networkIds, tx)) };
    await this.audit.forgetNetworks(networkIds, tx);
    await this.repository.forgetRateLimits(networkIds, deviceRowIds, tx);
    await this.repository.deleteNetworks(networkIds, tx);
    return {
      counts,
      afterCommit: async () => {
        for (const id of networkIds) this.accessCache.forgetNetwork(id);
        for (const id of networkIds) await this.realtime.publish(id, 'network_closed', { id });
        this.logger.info('account_networks_deleted', {
          networks: networkIds.length,
          devices: deviceRowIds.length,
        });
      },
    };
  }
}
