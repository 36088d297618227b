import { Injectable } from '@nestjs/common';
import { countRowsOfNetworks, forgetRateLimitCallers, Tx } from '@mira/core';

/** The SQL of deleting an account's networks (inside the account's deletion transaction). */
@Injectable()
export class NetworkAccountRepository {
  /** The networks the user owns (the caller holds the user row: no network is added meanwhile). */
  async owned(userId: string, tx: Tx): Promise<string[]> {
    const rows = (await Tx.manager(tx).query(
      `SELECT id FROM networks WHERE owner_id = $1 ORDER BY created_at, id`,
      [userId],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async deviceRowIds(networkIds: string[], tx: Tx): Promise<string[]> {
    const rows = (await Tx.manager(tx).query(`SELECT id FROM clients WHERE network_id = ANY($1::uuid[])`, [
      networkIds,
    ])) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Rows of these networks in every table that has a network_id (for the deletion's counts). */
  countRows(networkIds: string[], tx: Tx): Promise<Record<string, number>> {
    return countRowsOfNetworks(Tx.manager(tx), networkIds);
  }

  /** Shared rate-limit counters keyed by these networks or their devices. */
  forgetRateLimits(networkIds: string[], deviceRowIds: string[], tx: Tx): Promise<void> {
    return forgetRateLimitCallers(Tx.manager(tx), [
      ...networkIds.map((id) => `network:${id}`),
      ...deviceRowIds.map((id) => `client:${id}`),
    ]);
  }

  /** Deletes the networks; foreign keys cascade to everything in them. */
  async deleteNetworks(networkIds: string[], tx: Tx): Promise<void> {
    await Tx.manager(tx).query(`DELETE FROM networks WHERE id = ANY($1::uuid[])`, [networkIds]);
  }
}
