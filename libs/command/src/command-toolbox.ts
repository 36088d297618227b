import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type CommandTool,
  MEMORY_TYPES,
  type MemoryType,
  type ToolOutcome,
  type ToolRunner,
} from '@mira/assistant';
import { ActionService, parseActionTime, type Action } from '@mira/action';
import { MemoryService } from '@mira/memory';

/** Who a command's tools act for: the network and the interaction the command was recorded as. */
export interface CommandScope {
  networkId: string;
  interactionId: string;
  now: Date;
}

/** What one tool call works with: the command's scope and the engine that asked for it. */
interface ToolCall extends CommandScope {
  decidedBy: 'gemini' | 'rules';
}

const HOUR_MS = 3_600_000;
const SEARCH_RESULTS = 5;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const refused = (summary: string): ToolOutcome => ({ ok: false, summary, response: { error: summary } });
const ONE_ACTION = refused('This command already created an action (one action per command)');

/**
 * The voice command tools on Mira's own data: reminders, tasks and calendar events become actions of the command's
 * interaction, memories are stored and searched in the network; e-mail and web search are refused plainly.
 */
@Injectable()
export class CommandToolbox {
  constructor(
    private readonly actions: ActionService,
    private readonly memories: MemoryService,
  ) {}

  runnerFor(scope: CommandScope): ToolRunner {
    return (tool, args, decidedBy) => this.run({ ...scope, decidedBy }, tool, args);
  }

  private async run(scope: ToolCall, tool: CommandTool, args: Record<string, unknown>): Promise<ToolOutcome> {
    switch (tool) {
      case 'create_reminder':
        return this.reminder(scope, args);
      case 'create_task':
        return this.task(scope, args);
      case 'create_calendar_event':
        return this.event(scope, args);
      case 'store_memory':
        return this.storeMemory(scope, args);
      case 'search_memory':
        return this.searchMemory(scope, args);
      case 'get_current_time':
        return { ok: true, summary: scope.now.toISOString(), response: { now_utc: scope.now.toISOString() } };
      case 'send_email':
        return refused('Mira cannot send e-mail');
      case 'web_search':
        return refused('Mira cannot search the web');
    }
  }

  private async reminder(scope: ToolCall, args: Record<string, unknown>): Promise<ToolOutcome> {
    const description = text(args.description);
    if (!description) return refused('A reminder needs a description');
    const time = parseActionTime(text(args.time)) ?? new Date(scope.now.getTime() + HOUR_MS);
    const action = await this.createAction(scope, 'remind', { time: time.toISOString(), description }, time);
    return action ? actionOutcome(action, `Reminder: ${description} at ${time.toISOString()}`) : ONE_ACTION;
  }

  /** A task is a reminder without a fixed time (Mira's actions are remind, schedule and contact). */
  private async task(scope: ToolCall, args: Record<string, unknown>): Promise<ToolOutcome> {
    const description = text(args.description);
    if (!description) return refused('A task needs a description');
    const due = parseActionTime(text(args.due));
    const details = { time: due?.toISOString() ?? '', description, task: true };
    const action = await this.createAction(scope, 'remind', details, due);
    return action ? actionOutcome(action, `Task: ${description}`) : ONE_ACTION;
  }

  private async event(scope: ToolCall, args: Record<string, unknown>): Promise<ToolOutcome> {
    const name = text(args.name);
    const start = parseActionTime(text(args.start_time));
    if (!name || !start) return refused('An event needs a name and a start time');
    const parsedEnd = parseActionTime(text(args.end_time));
    const end = parsedEnd && parsedEnd > start ? parsedEnd : new Date(start.getTime() + HOUR_MS);
    const details = {
      start_time: start.toISOString(),
      end_time: end.toISOString(),
      name,
      ...(text(args.location) ? { location: text(args.location) } : {}),
    };
    const action = await this.createAction(scope, 'schedule', details, start);
    return action ? actionOutcome(action, `Event: ${name} at ${start.toISOString()}`) : ONE_ACTION;
  }

  private createAction(
    scope: ToolCall,
    actionType: Action['actionType'],
    details: Record<string, unknown>,
    scheduledTime: Date | null,
  ): Promise<Action | null> {
    return this.actions.createForCommand(scope.networkId, {
      interactionId: scope.interactionId,
      actionType,
      details,
      scheduledTime,
      source: scope.decidedBy,
    });
  }

  private async storeMemory(scope: ToolCall, args: Record<string, unknown>): Promise<ToolOutcome> {
    const canonicalText = text(args.text).slice(0, 1000);
    if (!canonicalText) return refused('Nothing to remember');
    const memoryType = (MEMORY_TYPES as readonly unknown[]).includes(args.memory_type)
      ? (args.memory_type as MemoryType)
      : 'fact';
    // The same sentence asked twice in one command is one memory.
    const digest = createHash('sha256').update(canonicalText).digest('hex').slice(0, 16);
    const [memory] = await this.memories.remember(scope.networkId, [
      {
        sourceConversationId: null,
        sourceInteractionId: scope.interactionId,
        memoryType,
        canonicalText,
        actionKind: null,
        participantPersonIds: [],
        proposedStartAt: null,
        proposedEndAt: null,
        expiresAt: null,
        confidence: null,
        // only the language model stores memories (the rules never call store_memory)
        provenance: { source: 'voice_command', engine: 'gemini' },
        dedupeKey: `command:${scope.interactionId}:${digest}`,
      },
    ]);
    return {
      ok: true,
      summary: `Remembered: ${canonicalText}`,
      response: { stored: true, ...(memory ? { memory_id: memory.id } : {}) },
    };
  }

  private async searchMemory(scope: ToolCall, args: Record<string, unknown>): Promise<ToolOutcome> {
    const query = text(args.query);
    if (!query) return refused('A search needs words');
    const found = await this.memories.search(scope.networkId, query, SEARCH_RESULTS);
    return {
      ok: true,
      summary: `${found.length} ${found.length === 1 ? 'memory' : 'memories'} found`,
      response: {
        memories: found.map((m) => ({
          text: m.canonicalText,
          memory_type: m.memoryType,
          created_at: m.createdAt.toISOString(),
          ...(m.proposedStartAt ? { starts_at: m.proposedStartAt.toISOString() } : {}),
        })),
      },
    };
  }
}

function actionOutcome(action: Action, summary: string): ToolOutcome {
  return {
    ok: true,
    summary,
    response: { created: true, action_id: action.id, action_type: action.actionType },
  };
}
