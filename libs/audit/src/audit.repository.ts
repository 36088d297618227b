import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tx } from '@mira/core';
import type { AuditActorKind } from './audit.types.js';

export interface AuditRow {
  id: string;
  network_id: string;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
  created_at: Date;
}

export interface NewAuditRow {
  /** Null only for an account row (target_type 'account'), which names no network. */
  networkId: string | null;
  actorKind: AuditActorKind;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

/** The only SQL of the audit log. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: NewAuditRow, tx?: Tx): Promise<string> {
    const runner = Tx.manager(tx, this.dataSource.manager);
    const rows = (await runner.query(
      `INSERT INTO audit_log (network_id, actor_kind, actor_id, action, target_type, target_id, details, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        row.networkId,
        row.actorKind,
        row.actorId,
        row.action,
        row.targetType,
        row.targetId,
        JSON.stringify(row.details),
        row.requestId,
      ],
    )) as { id: string }[];
    return (rows[0] as { id: string }).id;
  }

  async list(
    networkId: string,
    filter: { action?: string; since?: Date },
    limit: number,
    offset: number,
  ): Promise<{ rows: AuditRow[]; total: number }> {
    const where = ['network_id = $1'];
    const params: unknown[] = [networkId];
    if (filter.action !== undefined) {
      params.push(filter.action);
      where.push(`action = $${params.length}`);
    }
    if (filter.since !== undefined) {
      params.push(filter.since);
      where.push(`created_at >= $${params.length}`);
    }
    const clause = where.join(' AND ');
    const totals = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM audit_log WHERE ${clause}`,
      params,
    )) as { total: number }[];
    const rows = (await this.dataSource.query(
      `SELECT id, network_id, actor_kind, actor_id, action, target_type, target_id, details, request_id, created_at
       FROM audit_log WHERE ${clause}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    )) as AuditRow[];
    return { rows, total: Number(totals[0]?.total ?? 0) };
  }

  /** The audit rows of these networks (their account is being deleted: nothing of it stays). */
  async deleteForNetworks(networkIds: string[], tx: Tx): Promise<number> {
    if (networkIds.length === 0) return 0;
    const [, count] = (await Tx.manager(tx).query(
      `DELETE FROM audit_log WHERE network_id = ANY($1::uuid[])`,
      [networkIds],
    )) as [unknown, number];
    return Number(count ?? 0);
  }

  /** Retention: audit rows outlive their network (no cascade) but not the audit retention period. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(`DELETE FROM audit_log WHERE created_at < $1`, [
      cutoff,
    ])) as [unknown, number];
    return Number(count ?? 0);
  }
}
