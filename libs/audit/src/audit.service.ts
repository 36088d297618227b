import { Injectable } from '@nestjs/common';
import { AppLogger, currentRequestContext, isoUtc, type Page } from '@mira/core';
import { AuditRepository, AuditRow } from './audit.repository.js';
import type { AuditActorKind, AuditEvent } from './audit.types.js';
import { AuditEntryDto } from './dto/audit.dto.js';

/** Parses the request context's principal label ("user:<id>" / "client:<row id>"). */
function actorFromContext(): { kind: AuditActorKind; id: string | null } {
  const label = currentRequestContext()?.principal;
  if (label?.startsWith('user:')) return { kind: 'user', id: label.slice(5) };
  if (label?.startsWith('client:')) return { kind: 'client', id: label.slice(7) };
  return { kind: 'system', id: null };
}

export function toAuditEntryDto(row: AuditRow): AuditEntryDto {
  return {
    id: row.id,
    network_id: row.network_id,
    actor_kind: row.actor_kind,
    actor_id: row.actor_id,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    details: row.details ?? {},
    request_id: row.request_id,
    created_at: isoUtc(new Date(row.created_at)),
  };
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
      event.manager,
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

  async list(
    networkId: string,
    filter: { action?: string; since?: Date },
    limit: number,
    offset: number,
  ): Promise<Page<AuditEntryDto>> {
    const { rows, total } = await this.repository.list(networkId, filter, limit, offset);
    return { items: rows.map(toAuditEntryDto), total, limit, offset };
  }

  deleteOlderThan(cutoff: Date): Promise<number> {
    return this.repository.deleteOlderThan(cutoff);
  }
}
