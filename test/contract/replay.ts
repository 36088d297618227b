import {
  APP_CALLS,
  APP_LINES,
  COMMAND_EVENT_FIELDS,
  type AppCall,
  type AppLine,
  type FieldType,
} from './apps-contract.js';

/**
 * Replays the calls of test/contract/apps-contract.ts as an app line makes them (its base path, /api/v1 or /api/v2,
 * its method, path, query and body, sent with fetch and FormData as a browser would) and checks each answer against
 * what the app's code accepts (the status) and reads (the fields and their types).
 */

export interface Sent {
  params?: Record<string, string>;
  query?: Record<string, string | string[]>;
  json?: unknown;
  form?: FormData;
  /** Headers the app sets beyond the token (desktop-app's axios instance sends Content-Type: application/json). */
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  /** JSON; for an event stream, the `data:` lines' JSON objects in order. */
  body: unknown;
  contentType?: string | null;
}

type FieldCheck = (value: unknown) => boolean;
const TYPE_CHECKS: Record<FieldType, FieldCheck> = {
  string: (v) => typeof v === 'string',
  'string|null': (v) => v === null || typeof v === 'string',
  number: (v) => typeof v === 'number',
  'number|null': (v) => v === null || typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'object|null': (v) => v === null || (typeof v === 'object' && !Array.isArray(v)),
  'string[]': (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  array: (v) => Array.isArray(v),
};

/** What the app's stream reader keeps: every `data:` line's JSON, in order (comments and blank lines are not events). */
export function dataEvents(text: string): unknown[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('data:') && line.slice(5).trim() !== '')
    .map((line) => JSON.parse(line.slice(5).trim()) as unknown);
}

/** What is wrong with an answer, measured against what the app's code does with it (empty = nothing). */
export function problems(call: AppCall, answer: Answer): string[] {
  const out: string[] = [];
  const ok =
    call.success === '2xx'
      ? answer.status >= 200 && answer.status < 300
      : call.success.includes(answer.status);
  if (!ok)
    out.push(
      `status ${answer.status} (the app accepts ${String(call.success)}): ${JSON.stringify(answer.body)}`,
    );
  const fields = (row: unknown, where: string, reads: Record<string, FieldType> = call.reads ?? {}) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      return out.push(`${where} is not an object`);
    for (const [name, type] of Object.entries(reads)) {
      const value = (row as Record<string, unknown>)[name];
      if (!TYPE_CHECKS[type](value))
        out.push(`${where}.${name} = ${JSON.stringify(value)}, the app reads ${type}`);
    }
  };
  if (call.response === 'object') fields(answer.body, 'body');
  if (call.response === 'array') {
    if (!Array.isArray(answer.body)) out.push('body is not an array');
    else if (answer.body.length === 0) out.push('the replay expected rows to check, the list is empty');
    else answer.body.forEach((row, i) => fields(row, `body[${i}]`));
  }
  if (call.response === 'string[]' && !TYPE_CHECKS['string[]'](answer.body)) out.push('body is not string[]');
  if (call.response === 'event-stream') {
    if (!answer.contentType?.startsWith('text/event-stream'))
      out.push(`content type ${String(answer.contentType)}, the app reads text/event-stream`);
    const events = Array.isArray(answer.body) ? answer.body : [];
    events.forEach((event, i) => {
      const type = (event as { type?: unknown } | null)?.type;
      const reads = COMMAND_EVENT_FIELDS[type as keyof typeof COMMAND_EVENT_FIELDS];
      if (!reads) out.push(`event ${i} has type ${JSON.stringify(type)}, the app knows none such`);
      else fields(event, `event ${i} (${String(type)})`, reads);
    });
    if ((events.at(-1) as { type?: unknown } | undefined)?.type !== 'done')
      out.push('the stream does not end with a done event');
  }
  return out;
}

export interface Replay {
  /** The line's calls by id. */
  calls: Map<string, AppCall>;
  /** Sends one call of the fixture; its drift (if any) is added to `failures`. */
  send(id: string, sent?: Sent): Promise<Answer>;
  /** What drifted, one line per call. */
  failures: string[];
  /** The ids sent so far. */
  replayed: Set<string>;
  /** The access token sent with every call under /api (once signed in). */
  token: string;
}

export function replayer(serverUrl: string, line: AppLine, version: 1 | 2): Replay {
  const base = `${serverUrl}${APP_LINES[line].basePath}`;
  const calls = new Map(APP_CALLS.filter((c) => c.apps.includes(line)).map((c) => [c.id, c]));
  const replay: Replay = {
    calls,
    failures: [],
    replayed: new Set<string>(),
    token: '',
    async send(id, sent = {}) {
      const call = calls.get(id);
      if (!call) throw new Error(`${id} is not a call of ${line} in the fixture`);
      const path = call.path.replace(/:(\w+)/g, (_, name: string) => {
        const value = sent.params?.[name];
        if (value === undefined) throw new Error(`${id}: no value for :${name}`);
        return encodeURIComponent(value);
      });
      const url = new URL(call.base === 'root' ? `${base}/` : `${base}/api/v${version}${path}`);
      for (const [key, value] of Object.entries(sent.query ?? {})) {
        for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(key, one);
      }
      const headers: Record<string, string> = { ...sent.headers };
      if (replay.token && call.base === 'api') headers.Authorization = `Bearer ${replay.token}`;
      let body: string | FormData | undefined;
      if (sent.form) body = sent.form;
      else if (sent.json !== undefined) {
        body = JSON.stringify(sent.json);
        headers['Content-Type'] = 'application/json';
      }
      const res = await fetch(url, { method: call.method, headers, body });
      const text = await res.text();
      const contentType = res.headers.get('content-type');
      const read =
        call.response === 'event-stream' && res.ok
          ? dataEvents(text)
          : text
            ? (JSON.parse(text) as unknown)
            : null;
      const answer = { status: res.status, body: read, contentType };
      const wrong = problems(call, answer);
      if (wrong.length)
        replay.failures.push(`${call.method} ${url.pathname}${url.search} [${id}]: ${wrong.join('; ')}`);
      replay.replayed.add(id);
      return answer;
    },
  };
  return replay;
}

export const body = <T>(answer: Answer) => answer.body as T;
