import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Tx } from '@mira/core';
import { ActionEntity } from './action.entity.js';
import type { ActionKind, ActionStatus } from './action.types.js';

export interface ActionFilter {
  status?: ActionStatus;
  actionType?: ActionKind;
  personId?: string;
  conversationId?: string;
  interactionId?: string;
}

export type NewAction = Pick<
  ActionEntity,
  'interactionId' | 'personId' | 'conversationId' | 'actionType' | 'details' | 'scheduledTime' | 'source'
>;

const INSERT_ACTION = `INSERT INTO actions (network_id, interaction_id, person_id, conversation_id, action_type,
    details, scheduled_time, source)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`;

const insertParameters = (networkId: string, values: NewAction) => [
  networkId,
  values.interactionId,
  values.personId,
  values.conversationId,
  values.actionType,
  JSON.stringify(values.details),
  values.scheduledTime,
  values.source,
];

/** The only place that touches the actions table. */
@Injectable()
export class ActionRepository {
  constructor(@InjectRepository(ActionEntity) private readonly actions: Repository<ActionEntity>) {}

  /**
   * One action per interaction: a re-run (retry, on-demand inference) replaces a still-pending action's content
   * and leaves a confirmed or dismissed one as the user decided.
   */
  async upsert(networkId: string, values: NewAction): Promise<ActionEntity> {
    await this.actions.query(
      `${INSERT_ACTION}
       ON CONFLICT (network_id, interaction_id) DO UPDATE
         SET action_type = EXCLUDED.action_type, details = EXCLUDED.details,
             scheduled_time = EXCLUDED.scheduled_time, source = EXCLUDED.source,
             person_id = EXCLUDED.person_id, conversation_id = EXCLUDED.conversation_id, updated_at = now()
         WHERE actions.status = 'pending'`,
      insertParameters(networkId, values),
    );
    return (await this.actions.findOne({ where: { networkId, interactionId: values.interactionId } }))!;
  }

  /** Inserts the interaction's action unless it has one; answers the new row, or null when it had one. */
  async insertIfAbsent(networkId: string, values: NewAction): Promise<ActionEntity | null> {
    const rows = (await this.actions.query(
      `${INSERT_ACTION} ON CONFLICT (network_id, interaction_id) DO NOTHING RETURNING id`,
      insertParameters(networkId, values),
    )) as { id: string }[];
    return rows[0] ? this.find(networkId, rows[0].id) : null;
  }

  find(networkId: string, id: string): Promise<ActionEntity | null> {
    return this.actions.findOne({ where: { networkId, id } });
  }

  findByInteraction(networkId: string, interactionId: string): Promise<ActionEntity | null> {
    return this.actions.findOne({ where: { networkId, interactionId } });
  }

  async list(
    networkId: string,
    filter: ActionFilter,
    page: { limit: number; offset: number },
  ): Promise<{ rows: ActionEntity[]; total: number }> {
    const where: Record<string, unknown> = { networkId };
    if (filter.status) where.status = filter.status;
    if (filter.actionType) where.actionType = filter.actionType;
    if (filter.personId) where.personId = filter.personId;
    if (filter.conversationId) where.conversationId = filter.conversationId;
    if (filter.interactionId) where.interactionId = filter.interactionId;
    const [rows, total] = await this.actions.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { rows, total };
  }

  async setStatus(networkId: string, id: string, status: ActionStatus): Promise<ActionEntity | null> {
    await this.actions.query(
      `UPDATE actions SET status = $3, updated_at = now(),
              completed_time = CASE WHEN $3 = 'confirmed' THEN COALESCE(completed_time, now()) ELSE NULL END
       WHERE network_id = $1 AND id = $2`,
      [networkId, id, status],
    );
    return this.find(networkId, id);
  }

  /** Merge: the source person's actions now belong to the target (inside the merge transaction). */
  async reassignPerson(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    await Tx.manager(tx).query(
      `UPDATE actions SET person_id = $3, updated_at = now() WHERE network_id = $1 AND person_id = $2`,
      [networkId, sourceId, targetId],
    );
  }
}
