import { Injectable } from '@nestjs/common';
import { ActionExtraction, ActionExtractor } from '@mira/assistant';
import { AppLogger, RealtimePublisher } from '@mira/core';
import { ConversationService } from '@mira/conversation';
import { InteractionService } from '@mira/interaction';
import { JobName, type JobOf, OnJob } from '@mira/jobs';
import { PersonService, personDisplayName } from '@mira/person';
import { ActionErrors } from './action.errors.js';
import { ActionFilter, ActionRepository } from './action.repository.js';
import type { Action, ActionKind, ActionStatus, Inference } from './action.types.js';

const CONTEXT_LINES = 10;

/** A date-time from the model ("2026-11-23T15:00:00", with or without zone; zone-less is read as UTC). */
export function parseActionTime(value: string | undefined): Date | null {
  if (!value) return null;
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}

function detailsOf(extraction: ActionExtraction): { details: Record<string, unknown>; time: Date | null } {
  if (!extraction.call_to_action) return { details: {}, time: null };
  if (extraction.action_type === 'remind') {
    return { details: { ...extraction.remind }, time: parseActionTime(extraction.remind.time) };
  }
  if (extraction.action_type === 'schedule') {
    return { details: { ...extraction.schedule }, time: parseActionTime(extraction.schedule.start_time) };
  }
  return { details: { ...extraction.contact }, time: null };
}

/** Actions extracted from interactions (inference), listed and confirmed or dismissed by users. */
@Injectable()
export class ActionService {
  constructor(
    private readonly repository: ActionRepository,
    private readonly extractor: ActionExtractor,
    private readonly interactions: InteractionService,
    private readonly conversations: ConversationService,
    private readonly persons: PersonService,
    private readonly realtime: RealtimePublisher,
    private readonly logger: AppLogger,
  ) {}

  @OnJob(JobName.InteractionInfer)
  async onInferJob(job: JobOf<JobName.InteractionInfer>): Promise<void> {
    try {
      await this.infer(job.networkId, job.payload.interaction_id, { finalAttempt: job.finalAttempt });
    } catch (err) {
      // An interaction deleted or never transcribed meanwhile: nothing to do, not worth retrying.
      const code = (err as { code?: string }).code;
      if (code === 'INTERACTION_NOT_FOUND' || code === 'INTERACTION_NOT_TRANSCRIBED') return;
      throw err;
    }
  }

  async list(
    networkId: string,
    filter: ActionFilter,
    page: { limit: number; offset: number },
  ): Promise<{ items: Action[]; total: number }> {
    // Filters naming another network's (or no) person, conversation or interaction answer 404, like a path id.
    if (filter.personId) await this.persons.requireExisting(networkId, [filter.personId], 'person_id');
    if (filter.conversationId) {
      await this.conversations.requireExisting(networkId, filter.conversationId, 'conversation_id');
    }
    if (filter.interactionId) await this.interactions.get(networkId, filter.interactionId);
    const { rows, total } = await this.repository.list(networkId, filter, page);
    return { items: rows, total };
  }

  async get(networkId: string, id: string): Promise<Action> {
    const row = await this.repository.find(networkId, id);
    if (!row) throw ActionErrors.notFound();
    return row;
  }

  async setStatus(networkId: string, id: string, status: ActionStatus): Promise<Action> {
    const row = await this.repository.setStatus(networkId, id, status);
    if (!row) throw ActionErrors.notFound();
    this.logger.info('action_status_changed', { network_id: networkId, action_id: id, status });
    await this.realtime.publish(networkId, 'action', { id });
    return row;
  }

  /**
   * An action a voice command asked for (its interaction is the command). One action per interaction: answers null
   * when the command already made one, and the caller says so.
   */
  async createForCommand(
    networkId: string,
    input: {
      interactionId: string;
      actionType: ActionKind;
      details: Record<string, unknown>;
      scheduledTime: Date | null;
      source: Action['source'];
    },
  ): Promise<Action | null> {
    const interaction = await this.interactions.get(networkId, input.interactionId);
    const row = await this.repository.insertIfAbsent(networkId, {
      ...input,
      personId: interaction.personId,
      conversationId: interaction.conversationId,
    });
    if (!row) return null;
    this.logger.info('command_action_created', {
      network_id: networkId,
      action_id: row.id,
      kind: row.actionType,
    });
    await this.realtime.publish(networkId, 'action', { id: row.id });
    return row;
  }

  /** Runs the action extractor on one interaction; stores (or refreshes a pending) action when it finds one. */
  async infer(
    networkId: string,
    interactionId: string,
    options: { finalAttempt?: boolean } = {},
  ): Promise<Inference> {
    const interaction = await this.interactions.get(networkId, interactionId);
    const text = interaction.content?.trim() ?? '';
    if (text.length === 0) throw ActionErrors.nothingToInfer();
    const context = interaction.conversationId
      ? (
          await this.interactions.list(
            networkId,
            { conversationId: interaction.conversationId, until: interaction.occurredAt },
            { limit: CONTEXT_LINES + 1, offset: 0, order: 'desc' },
          )
        ).items
          .filter((i) => i.id !== interaction.id && (i.content ?? '').trim().length > 0)
          .slice(0, CONTEXT_LINES)
          .reverse()
      : [];
    const personIds = [
      ...new Set([interaction, ...context].map((i) => i.personId).filter((id): id is string => !!id)),
    ];
    const names = new Map(
      (await this.persons.findMany(networkId, personIds)).map((p) => [p.id, personDisplayName(p)]),
    );
    const label = (personId: string | null) =>
      personId ? (names.get(personId) ?? 'Unknown speaker') : 'Unknown speaker';

    const result = await this.extractor.extract(
      {
        text,
        speaker: label(interaction.personId),
        context: context.map((i) => `${label(i.personId)}: ${i.content}`),
        now: new Date(),
      },
      options,
    );
    let action: Action | null = null;
    if (result.extraction.call_to_action) {
      const { details, time } = detailsOf(result.extraction);
      const row = await this.repository.upsert(networkId, {
        interactionId,
        personId: interaction.personId,
        conversationId: interaction.conversationId,
        actionType: result.extraction.action_type,
        details,
        scheduledTime: time,
        source: result.source,
      });
      action = row;
      await this.realtime.publish(networkId, 'action', { id: row.id });
    }
    this.logger.info('inference_done', {
      network_id: networkId,
      interaction_id: interactionId,
      source: result.source,
      call_to_action: result.extraction.call_to_action,
    });
    return {
      interactionId,
      callToAction: result.extraction.call_to_action,
      source: result.source,
      ...(result.note ? { note: result.note } : {}),
      action,
    };
  }
}
