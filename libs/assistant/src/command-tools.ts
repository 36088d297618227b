import type { FunctionDeclaration } from '@google/genai';

/** The tools a voice command may use, as the apps name them (dadei labels each while it runs). */
export const COMMAND_TOOLS = [
  'create_reminder',
  'create_task',
  'create_calendar_event',
  'store_memory',
  'search_memory',
  'get_current_time',
  'send_email',
  'web_search',
] as const;
export type CommandTool = (typeof COMMAND_TOOLS)[number];

/** Tools declared to the model so that it can tell the user plainly that Mira cannot do them. */
export const UNSUPPORTED_COMMAND_TOOLS: readonly CommandTool[] = ['send_email', 'web_search'];

export const isCommandTool = (name: string): name is CommandTool =>
  (COMMAND_TOOLS as readonly string[]).includes(name);

/** What running a tool gave: `summary` is shown to the user, `response` goes back to the model. */
export interface ToolOutcome {
  ok: boolean;
  summary: string;
  response: Record<string, unknown>;
}

/**
 * Runs one tool on the caller's data (the domain side provides it; the assistant only decides what to call).
 * `decidedBy` says which engine asked for it: the language model, or the offline rules.
 */
export type ToolRunner = (
  tool: CommandTool,
  args: Record<string, unknown>,
  decidedBy: 'gemini' | 'rules',
) => Promise<ToolOutcome>;

const ISO = 'ISO 8601 date-time in UTC, e.g. 2030-01-07T15:00:00Z';

export const COMMAND_FUNCTIONS: FunctionDeclaration[] = [
  {
    name: 'create_reminder',
    description:
      'Remind the household of something at a time (default: one hour from now; "tonight" is 19:00).',
    parametersJsonSchema: {
      type: 'object',
      properties: {
        description: { type: 'string', description: 'What to be reminded of' },
        time: { type: 'string', description: ISO },
      },
      required: ['description', 'time'],
    },
  },
  {
    name: 'create_task',
    description: 'Add a to-do without a fixed time (a due time when one was said).',
    parametersJsonSchema: {
      type: 'object',
      properties: {
        description: { type: 'string', description: 'What is to be done' },
        due: { type: 'string', description: `${ISO}, or omitted` },
      },
      required: ['description'],
    },
  },
  {
    name: 'create_calendar_event',
    description: 'Put an event with a start and an end on the calendar (overestimate the duration).',
    parametersJsonSchema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        start_time: { type: 'string', description: ISO },
        end_time: { type: 'string', description: ISO },
        location: { type: 'string' },
      },
      required: ['name', 'start_time', 'end_time'],
    },
  },
  {
    name: 'store_memory',
    description: 'Remember a fact, plan or preference for later (one standalone sentence, names as said).',
    parametersJsonSchema: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        memory_type: { type: 'string', enum: ['fact', 'event', 'plan', 'preference'] },
      },
      required: ['text'],
    },
  },
  {
    name: 'search_memory',
    description: 'Look up what was remembered earlier (memories of past conversations and stored facts).',
    parametersJsonSchema: {
      type: 'object',
      properties: { query: { type: 'string', description: 'Key words' } },
      required: ['query'],
    },
  },
  {
    name: 'get_current_time',
    description: 'The current date and time (UTC).',
    parametersJsonSchema: { type: 'object', properties: {} },
  },
  {
    name: 'send_email',
    description: 'Send an e-mail. Mira cannot do this: calling it tells you so.',
    parametersJsonSchema: {
      type: 'object',
      properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
    },
  },
  {
    name: 'web_search',
    description: 'Search the web. Mira cannot do this: calling it tells you so.',
    parametersJsonSchema: { type: 'object', properties: { query: { type: 'string' } } },
  },
];
