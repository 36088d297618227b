import { Injectable } from '@nestjs/common';
import { AuditService } from '@mira/audit';
import { AccessCache, AppLogger, HookRegistry, Transactions } from '@mira/core';
import { AccountDeletionHook, type AccountDataDeleted } from './account-deletion.hook.js';
import { IdentityErrors } from './identity.errors.js';
import { IdentityRepository } from './identity.repository.js';

/**
 * DELETE /auth/me: the account and everything in it, in one transaction. Every module that keeps data for an
 * account deletes it through its AccountDeletionHook (the networks go with everything in them), then the user row
 * goes (its sessions, provider identities and sign-in grants cascade): access and refresh tokens stop working with
 * it, device tokens with their devices. One audit row stays, with counts and no trace of who. Sockets are closed on
 * every instance once the deletion has committed.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly repository: IdentityRepository,
    private readonly hooks: HookRegistry,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly logger: AppLogger,
    private readonly accessCache: AccessCache,
  ) {}

  async deleteAccount(userId: string): Promise<void> {
    // The cascade locks rows that audio being stored right now also locks: a lost deadlock is run again.
    const parts = await this.transactions.runRetryingConflicts(
      async (tx) => {
        // Locked first: a second deletion, a sign-in linking to it or a new account network waits, then finds
        // nothing.
        if (!(await this.repository.lockUser(userId, tx))) throw IdentityErrors.userNotFound();
        const deleted: AccountDataDeleted[] = [];
        for (const hook of this.hooks.all(AccountDeletionHook))
          deleted.push(await hook.deleteAccountData(tx, userId));
        const sessions = await this.repository.deleteUser(userId, tx);
        const counts: Record<string, number> = { users: 1, refresh_tokens: sessions };
        for (const part of deleted) {
          for (const [kind, n] of Object.entries(part.counts)) counts[kind] = (counts[kind] ?? 0) + n;
        }
        await this.audit.recordAccountEvent({ action: 'account.deleted', details: { deleted: counts }, tx });
        return deleted;
      },
      { attempts: 3, onRetry: (attempt) => this.logger.warn('account_deletion_retried', { attempt }) },
    );
    this.accessCache.forgetUser(userId);
    for (const part of parts) await part.afterCommit?.();
    this.logger.info('account_deleted', { hooks: parts.length });
  }
}
