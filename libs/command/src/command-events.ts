import type { SchemaObject } from '@nestjs/swagger';
import type { CommandEvent } from '@mira/assistant';

/** One line of the voice command stream (`data: {json}`), in the order the apps read them; `done` is always last. */
export type CommandStreamEvent =
  { type: 'transcript'; text: string } | CommandEvent | { type: 'error'; message: string } | { type: 'done' };

/** The stream's event schema for OpenAPI (one JSON object per `data:` line). */
export const COMMAND_EVENT_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      required: ['type', 'text'],
      properties: { type: { enum: ['transcript'] }, text: { type: 'string', description: 'What was heard' } },
    },
    {
      type: 'object',
      required: ['type', 'text'],
      properties: {
        type: { enum: ['token'] },
        text: { type: 'string', description: 'A piece of the spoken answer' },
      },
    },
    {
      type: 'object',
      required: ['type', 'tool', 'status'],
      properties: {
        type: { enum: ['tool_call'] },
        tool: {
          type: 'string',
          example: 'create_reminder',
          description:
            'create_reminder, create_task, create_calendar_event, store_memory, search_memory, get_current_time, ' +
            'send_email, web_search',
        },
        status: { enum: ['running'] },
      },
    },
    {
      type: 'object',
      required: ['type', 'tool', 'ok'],
      properties: {
        type: { enum: ['tool_result'] },
        tool: { type: 'string' },
        ok: {
          type: 'boolean',
          description: 'false for a tool Mira cannot perform (send_email, web_search) too',
        },
        summary: { type: 'string' },
      },
    },
    {
      type: 'object',
      required: ['type', 'message'],
      properties: { type: { enum: ['error'] }, message: { type: 'string' } },
    },
    { type: 'object', required: ['type'], properties: { type: { enum: ['done'] } } },
  ],
};
