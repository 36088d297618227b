import { Injectable } from '@nestjs/common';
import { AppLogger, currentRequestContext, type Tx } from '@mira/core';
import { AuditRepository, AuditRow } from './audit.repository.js';
import type { AccountAuditEvent, AuditActorKind, AuditEvent } from './audit.types.js';

/** Parses the request context's principal label ("user:<id>" / "client:<row id>"). */
function actorFromContext(): { kind: AuditActorKind; id: string | null } {
  const label = currentRequestContext()?.principal;
  if (label?.startsWith('user:')) return { kind: 'user', id: label.slice(5) };
  if (label?.startsWith('client:')) return { kind: 'client', id: label.slice(7) };
  return { kind: 'system', id: null };
}

/**
 * The audit log of sensitive actions. Every record is also written to the structured log (audit_event), so an
 * action stays visible in the logs even after its network (and its audit rows' network) is gone.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly logger: AppLogger,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const actor = event.actor ?? actorFromContext();
    const requestId = currentRequestContext()?.requestId ?? null;
    await this.repository.insert(
      {
        networkId: event.networkId,
        actorKind: actor.kind,
        actorId: actor.id,
        action: event.action,
        targetType: event.targetType,
        targetId: event.targetId ?? null,
        details: event.details ?? {},
        requestId,
      },
      event.tx,
    );
    this.logger.info('audit_event', {
      network_id: event.networkId,
      action: event.action,
      target_type: event.targetType,
      target_id: event.targetId ?? null,
      actor_kind: actor.kind,
      actor_id: actor.id,
    });
  }

  /**
   * The one row an account leaves behind: which action, when, by which request, and counts. No user id, no network
   * id, no e-mail: the account is gone and the row must not point back to it.
   */
  async recordAccountEvent(event: AccountAuditEvent): Promise<void> {
    const requestId = currentRequestContext()?.requestId ?? null;
    await this.repository.insert(
      {
        networkId: null,
        actorKind: 'user',
        actorId: null,
        action: event.action,
        targetType: 'account',
        targetId: null,
        details: event.details,
        requestId,
      },
      event.tx,
    );
    this.logger.info('audit_event', { action: event.action, target_type: 'account' });
  }

  /** Deletes the audit rows of these networks in the caller's transaction (the account they belong to is going). */
  forgetNetworks(networkIds: string[], tx: Tx): Promise<number> {
    return this.repository.deleteForNetworks(networkIds, tx);
  }

  async list(
    networkId: string,
    filter: { action?: string; since?: Date },
    limit: number,
    offset: number,
  ): Promise<{ items: AuditRow[]; total: number }> {
    const { rows, total } = await this.repository.list(networkId, filter, limit, offset);
    return { items: rows, total };
  }

  deleteOlderThan(cutoff: Date): Promise<number> {
    return this.repository.deleteOlderThan(cutoff);
  }
}
