import { isoUtc } from '@mira/core';
import type { AuditRow } from './audit.repository.js';
import type { AuditEntryDto } from './dto/audit.dto.js';

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
