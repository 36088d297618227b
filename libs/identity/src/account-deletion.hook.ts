import type { Tx } from '@mira/core';

/** What a module deleted of an account, for the one audit row the deletion leaves (counts only). */
export interface AccountDataDeleted {
  /** How many rows of each kind went (table name → count). */
  counts: Record<string, number>;
  /** What to do once the deletion has committed (close sockets, drop caches); never throws. */
  afterCommit?: () => Promise<void>;
}

/**
 * Runs inside the account's deletion transaction, before the user row goes: delete what the module keeps for this
 * account, writing only with `tx`. A module provides it with `provideHook(AccountDeletionHook, Impl)` (@mira/core).
 */
export abstract class AccountDeletionHook {
  abstract deleteAccountData(tx: Tx, userId: string): Promise<AccountDataDeleted>;
}
