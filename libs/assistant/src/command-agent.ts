import { Injectable } from '@nestjs/common';
import type { Content, Part } from '@google/genai';
import { AppLogger } from '@mira/core';
import { COMMAND_FUNCTIONS, isCommandTool, type ToolOutcome, type ToolRunner } from './command-tools.js';
import { GeminiClient, GeminiError } from './gemini.client.js';
import { extractActionsByRules } from './rule-based-extractor.js';

/** What the agent reports while it works on a command, in the apps' event names (the transcript comes before). */
export type CommandEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_call'; tool: string; status: 'running' }
  | { type: 'tool_result'; tool: string; ok: boolean; summary?: string };

/** Model turns of one command at most: each turn may call tools whose results the next turn reads. */
const MAX_TURNS = 4;

const SYSTEM_PROMPT = [
  'You are Mira, the voice assistant of a household or office. The user spoke a command to you (the wake word is',
  'part of the transcript). Act on it with the tools when it asks for a reminder, a task, a calendar event, or to',
  'remember or recall something; answer questions about the time with get_current_time. Then answer in one or two',
  'short spoken sentences saying what you did. Times are UTC. Never claim to have done what a tool refused.',
].join('\n');

/**
 * Runs a voice command: with Gemini, a streamed conversation with function calling over the tools in
 * COMMAND_FUNCTIONS (the caller runs each tool on its data); offline, the rule-based action extractor, which
 * understands explicit reminders and events only and says so.
 */
@Injectable()
export class CommandAgent {
  constructor(
    private readonly gemini: GeminiClient,
    private readonly logger: AppLogger,
  ) {}

  get engine(): 'gemini' | 'rules' {
    return this.gemini.configured ? 'gemini' : 'rules';
  }

  /**
   * The command's events. When Gemini fails before it produced anything, the rules answer instead; a failure after
   * that throws GeminiError (the caller reports it: what was done stays done).
   */
  async *run(
    transcript: string,
    now: Date,
    runTool: ToolRunner,
    signal: AbortSignal,
  ): AsyncGenerator<CommandEvent> {
    if (!this.gemini.configured) {
      yield* this.byRules(transcript, now, runTool);
      return;
    }
    let produced = false;
    try {
      for await (const event of this.viaGemini(transcript, now, runTool, signal)) {
        produced = true;
        yield event;
      }
    } catch (err) {
      if (produced || signal.aborted || !(err instanceof GeminiError)) throw err;
      this.logger.warn('command_gemini_failed', { kind: err.kind });
      yield* this.byRules(transcript, now, runTool);
    }
  }

  private async *viaGemini(
    transcript: string,
    now: Date,
    runTool: ToolRunner,
    signal: AbortSignal,
  ): AsyncGenerator<CommandEvent> {
    const contents: Content[] = [
      { role: 'user', parts: [{ text: `Current time (UTC): ${now.toISOString()}\nCommand: ${transcript}` }] },
    ];
    for (let turn = 0; turn < MAX_TURNS && !signal.aborted; turn += 1) {
      const said: Part[] = [];
      const answers: Part[] = [];
      for await (const piece of this.gemini.stream({
        contents,
        systemInstruction: SYSTEM_PROMPT,
        functions: COMMAND_FUNCTIONS,
        signal,
      })) {
        if (piece.kind === 'text') {
          said.push(piece.part);
          yield { type: 'token', text: piece.text };
          continue;
        }
        said.push(piece.part);
        yield { type: 'tool_call', tool: piece.name, status: 'running' };
        const outcome = await this.runSafely(piece.name, piece.args, runTool, 'gemini');
        yield { type: 'tool_result', tool: piece.name, ok: outcome.ok, summary: outcome.summary };
        answers.push({ functionResponse: { name: piece.name, response: outcome.response } });
      }
      if (answers.length === 0) return;
      contents.push({ role: 'model', parts: said }, { role: 'user', parts: answers });
    }
  }

  private async runSafely(
    name: string,
    args: Record<string, unknown>,
    runTool: ToolRunner,
    decidedBy: 'gemini' | 'rules',
  ): Promise<ToolOutcome> {
    if (!isCommandTool(name)) {
      return { ok: false, summary: `Unknown tool ${name}`, response: { error: `No tool named ${name}` } };
    }
    try {
      return await runTool(name, args, decidedBy);
    } catch (err) {
      // A tool's own failure is told to the model and the user; the command goes on.
      this.logger.warn('command_tool_failed', {
        tool: name,
        error_name: err instanceof Error ? err.name : 'unknown',
      });
      const summary = err instanceof Error && 'status' in err ? err.message : 'The tool failed';
      return { ok: false, summary, response: { error: summary } };
    }
  }

  /** Offline: the rule-based extractor (explicit reminders and events) is the only understanding there is. */
  private async *byRules(transcript: string, now: Date, runTool: ToolRunner): AsyncGenerator<CommandEvent> {
    const found = extractActionsByRules(transcript, now);
    if (!found.call_to_action) {
      yield {
        type: 'token',
        text: 'Without a language model I can only set explicit reminders and events, and I found none.',
      };
      return;
    }
    const [tool, args] =
      found.action_type === 'remind'
        ? (['create_reminder', { ...found.remind }] as const)
        : found.action_type === 'schedule'
          ? (['create_calendar_event', { ...found.schedule }] as const)
          : (['send_email', { ...found.contact }] as const);
    yield { type: 'tool_call', tool, status: 'running' };
    const outcome = await this.runSafely(tool, args, runTool, 'rules');
    yield { type: 'tool_result', tool, ok: outcome.ok, summary: outcome.summary };
    yield { type: 'token', text: outcome.summary };
  }
}
