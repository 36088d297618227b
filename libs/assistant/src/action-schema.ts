/**
 * The action schema the shipped apps read (and Gemini answers in, as structured output): call_to_action plus exactly
 * one of remind / schedule / contact matching action_type; missing string fields are "".
 */
export type ActionType = 'remind' | 'schedule' | 'contact';

export interface RemindDetails {
  time: string;
  description: string;
}
export interface ScheduleDetails {
  start_time: string;
  end_time: string;
  name: string;
  location?: string;
}
export interface ContactDetails {
  name: string;
  method: 'email' | 'message';
  details: string;
}

export type ActionExtraction =
  | { call_to_action: false }
  | { call_to_action: true; action_type: 'remind'; remind: RemindDetails }
  | { call_to_action: true; action_type: 'schedule'; schedule: ScheduleDetails }
  | { call_to_action: true; action_type: 'contact'; contact: ContactDetails };

/** JSON Schema sent to Gemini as responseJsonSchema (with allOf conditionals tying each action_type to its details). */
export const ACTION_JSON_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    call_to_action: { type: 'boolean' },
    action_type: { type: 'string', enum: ['remind', 'schedule', 'contact'] },
    remind: {
      type: 'object',
      properties: {
        time: { type: 'string', description: 'ISO 8601 local date-time' },
        description: { type: 'string' },
      },
      required: ['time', 'description'],
      additionalProperties: false,
    },
    schedule: {
      type: 'object',
      properties: {
        start_time: { type: 'string' },
        end_time: { type: 'string' },
        name: { type: 'string' },
        location: { type: 'string' },
      },
      required: ['start_time', 'end_time', 'name'],
      additionalProperties: false,
    },
    contact: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        method: { type: 'string', enum: ['email', 'message'] },
        details: { type: 'string' },
      },
      required: ['name', 'method', 'details'],
      additionalProperties: false,
    },
  },
  required: ['call_to_action'],
  allOf: [
    {
      if: { properties: { call_to_action: { const: false } } },
      then: {
        not: {
          anyOf: [
            { required: ['action_type'] },
            { required: ['remind'] },
            { required: ['schedule'] },
            { required: ['contact'] },
          ],
        },
      },
    },
    {
      if: { properties: { call_to_action: { const: true } } },
      then: { required: ['action_type'] },
    },
  ],
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(obj: Record<string, unknown>, required: string[], optional: string[] = []): boolean {
  const allowed = new Set([...required, ...optional]);
  if (Object.keys(obj).some((k) => !allowed.has(k))) return false;
  if (required.some((k) => typeof obj[k] !== 'string')) return false;
  return optional.every((k) => obj[k] === undefined || typeof obj[k] === 'string');
}

/** Validates a parsed answer against the schema; returns null when it does not conform. */
export function parseActionExtraction(value: unknown): ActionExtraction | null {
  if (!isObject(value) || typeof value.call_to_action !== 'boolean') return null;
  const subKeys = ['remind', 'schedule', 'contact'] as const;
  const present = subKeys.filter((k) => value[k] !== undefined);
  if (!value.call_to_action) {
    return value.action_type === undefined && present.length === 0 ? { call_to_action: false } : null;
  }
  const type = value.action_type;
  if (type !== 'remind' && type !== 'schedule' && type !== 'contact') return null;
  if (present.length !== 1 || present[0] !== type) return null;
  const details = value[type];
  if (!isObject(details)) return null;
  if (type === 'remind') {
    if (!strings(details, ['time', 'description'])) return null;
    return { call_to_action: true, action_type: 'remind', remind: details as unknown as RemindDetails };
  }
  if (type === 'schedule') {
    if (!strings(details, ['start_time', 'end_time', 'name'], ['location'])) return null;
    return { call_to_action: true, action_type: 'schedule', schedule: details as unknown as ScheduleDetails };
  }
  if (!strings(details, ['name', 'method', 'details'])) return null;
  if (details.method !== 'email' && details.method !== 'message') return null;
  return { call_to_action: true, action_type: 'contact', contact: details as unknown as ContactDetails };
}
