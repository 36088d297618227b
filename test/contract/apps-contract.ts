/**
 * The HTTP contract of the shipped Mira apps, read from their code (never copied):
 *   desktop-app 1.1.1  github mira-assistant/desktop-app, tag v1.1.1  (Electron; `shared/api/*`, `renderer/src/lib/api/*`)
 *   dadei 4.0.3        github mira-assistant/frontend,    tag v4.0.3  (web SPA + Electron; `packages/ui/src/lib/api/*`,
 *                      `packages/ui/src/shared/api/*`, `apps/desktop/main/updater.ts`)
 * Where the issue text and the apps' code differ, the code is the contract. test/e2e/apps-contract.e2e-spec.ts replays
 * every served call of both lines, on /api/v1 and /api/v2, against a real server and fails when a route drifts
 * (method, path, status, or a field an app reads).
 *
 * ── Base URLs and versions ─────────────────────────────────────────────────────────────────────────────────────────
 * Both apps build their REST base as `${URL}${BETA === 'true' ? '/api/v2' : '/api/v1'}` (desktop-app: URL =
 * MIRA_API_URL, dadei: URL = API_URL, default http://localhost:8000) and the socket as
 * `ws(s)://${URL without scheme}${same prefix}/realtime/ws?token=<access JWT>&client_id=<id>`. v1 and v2 answer
 * the same shapes (lists are bare arrays on both). The Electron main processes send `GET ${URL}/` (plain axios, no
 * token, no custom header: both lock axios 1.15.0, so even the User-Agent is the same) before opening a window: a 200
 * whose `version` has a leading integer different from the app's own major (desktop-app 1, dadei 4) stops the app
 * ("Update required"); unreachable, non-200, no `version` or an unparsable one let it start. Nothing in the request
 * tells the two lines apart, so Mira serves each line under its own base path: URL = https://host/apps/desktop-app
 * or https://host/apps/dadei (see APP_LINES; the prefix is stripped before routing, sockets included).
 *
 * ── desktop-app 1.1.1, in the order it calls ───────────────────────────────────────────────────────────────────────
 *  1. GET / (version gate, major 1).  2. POST /auth/login | /auth/register {email, password} → access_token,
 *  refresh_token (on error it shows `detail`); later POST /auth/refresh {refresh_token} on start and on any 401, then
 *  retries the call once.  3. POST /service/clients {client_id: stored name or "desktop-client", metadata: {local_ip,
 *  external_ip}}: 2xx → registered; 409 → "name in use" and the microphone stays off.  4. Only after that 2xx: the
 *  socket (client_id = that name); it sends {"type":"ping"} every 20 s and reconnects on every close.  5. GET
 *  /interactions?limit=50&offset=0, then GET /conversations/{id} for each conversation id seen (404 tolerated) and
 *  GET /persons/{id} for each person id seen.  6. The switch: PATCH /service/network/enable (no body) and it waits 5 s
 *  for the socket's `service_status` with top-level `enabled: true`, then the VAD starts; PATCH …/disable (retried
 *  once).  7. Each VAD segment (0.42–10 s, RMS-gated): POST /interactions/register multipart `audio` (WAV PCM16 mono
 *  16 kHz, filename audio.wav, type audio/wav) + `client_id`; only 204 counts as success; no retry.  8. New rows
 *  arrive as socket `interaction` events (`data` = Interaction).  9. Deletes: DELETE /interactions/{id} (for a
 *  whole group, every member), "clear all" = DELETE /conversations/{id} and then DELETE of every interaction again
 *  (already gone with their conversation: must still be 2xx).  10. People panel: GET /persons, PATCH /persons/{id}
 *  multipart `name`, DELETE /persons/{id}.  11. Client name box: GET /service/clients (string[]; a name is free when
 *  not in it), PATCH /service/clients/{old}/rename {new_client_id}.  12. On quit: DELETE /service/clients/{name}
 *  (5 s timeout, errors ignored).
 *
 * ── dadei 4.0.3, in the order it calls ─────────────────────────────────────────────────────────────────────────────
 *  1. GET / (version gate, major 4; Electron only).  2. Auth as above, plus GET /auth/me {id, email, has_password}.
 *  3. It never registers its device: it opens the socket with a stored id or a new `client-xxxxxxxx` and adopts the
 *  `client_id` of `session_ready`; it counts as connected on the socket's open and on `session_ready`.  4. Panel
 *  bootstrap: GET /conversations?limit=10&offset=0 (newest first), then GET /interactions?limit=500&offset=0 with
 *  `conversation_ids` repeated once per id (or `orphans_only=true` when there are none), GET /conversations/{id}
 *  per id (404 → it drops the conversation and its interactions from its caches, no retry), GET /persons.
 *  5. Shell: GET /actions?limit=100&offset=0 and GET /memories?limit=100.  6. Switch as desktop-app.  7. Each
 *  segment that is not a wake-word command: POST /interactions/register multipart `audio`, `client_id`,
 *  `session_token` (from session_ready, when it has one), `chunk_start_ms`, `chunk_end_ms` (device epoch ms: when
 *  speech was detected, when the segment ended); only 204 counts.  8. Segments starting with its wake word: POST
 *  /actions/voice (server-sent events).  9. Deletes as desktop-app, except that a conversation is deleted with one
 *  DELETE /conversations/{id} (its interactions are expected to go with it).  10. People: GET /persons, PATCH
 *  /persons/{id} multipart `name` (it stores the returned Person), DELETE /persons/{id}.  11. Settings: DELETE
 *  /auth/me (account deletion).
 *
 * ── What the apps read from the socket (for libs/realtime; messages are JSON objects with `event`) ────────────────
 *  session_ready   dadei: TOP-LEVEL session_id, session_token, client_id (strings), expires_in_seconds (number);
 *                  without all three strings the message is ignored. desktop-app ignores it.
 *  service_status  both: TOP-LEVEL `enabled` (boolean); a message whose top-level `enabled` is not a boolean is
 *                  ignored (so `{event, data: {enabled}}` alone switches nothing on).
 *  interaction     both: `data` = Interaction (below): id, conversation_id, person_id, text, timestamp.
 *  conversation    dadei: `data` = Conversation: id, started_at, topic_summary, context_summary, is_active.
 *  action          both: `data` = NetworkAction; dropped unless data.action_type (and for dadei id, status) are
 *                  strings; `details` is shown as text (dadei first tries JSON.parse(details).canonical_text).
 *  episodic_memory dadei: `data` = EpisodicMemory (the shape GET /memories lists).
 *  person          neither app listens for it.
 *  Heartbeat: both send {"type":"ping"} every 20 s; dadei closes with 4000 and reconnects when nothing at all arrived
 *  for 60 s. Close codes: dadei stops reconnecting on 1000, 1008, 4001, 4003 and retries on anything else (with
 *  jitter, ≤ 30 s); desktop-app retries on every close.
 */

export type AppLine = 'desktop-app' | 'dadei';

/** What each line checks at GET / and where Mira serves it (the base path an operator gives the app). */
export const APP_LINES: Record<
  AppLine,
  { appVersion: string; major: number; urlVariable: string; basePath: string }
> = {
  'desktop-app': {
    appVersion: '1.1.1',
    major: 1,
    urlVariable: 'MIRA_API_URL',
    basePath: '/apps/desktop-app',
  },
  dadei: { appVersion: '4.0.3', major: 4, urlVariable: 'API_URL', basePath: '/apps/dadei' },
};

/** A JSON type as the app's code relies on it ("string|null" = the field is read and may be null). */
export type FieldType =
  | 'string'
  | 'string|null'
  | 'number'
  | 'number|null'
  | 'boolean'
  | 'object'
  | 'object|null'
  | 'string[]'
  | 'array';

export const PERSON_FIELDS = {
  id: 'string',
  name: 'string|null',
  index: 'number',
  network_id: 'string',
  created_at: 'string',
  updated_at: 'string',
} as const satisfies Record<string, FieldType>;

/** `text`, `timestamp` and `sentiment` are the apps' names (Mira's own fields may stand beside them). */
export const INTERACTION_FIELDS = {
  id: 'string',
  text: 'string',
  timestamp: 'string',
  network_id: 'string',
  person_id: 'string|null',
  conversation_id: 'string|null',
  sentiment: 'number|null',
} as const satisfies Record<string, FieldType>;

export const CONVERSATION_FIELDS = {
  id: 'string',
  started_at: 'string',
  topic_summary: 'string|null',
  context_summary: 'string|null',
  is_active: 'boolean',
} as const satisfies Record<string, FieldType>;

/** dadei's NetworkAction (and desktop-app's ActionWebhookPayload): `details` is text. */
export const ACTION_FIELDS = {
  id: 'string',
  action_type: 'string',
  details: 'string|null',
  status: 'string',
  scheduled_time: 'string|null',
  completed_time: 'string|null',
  created_at: 'string',
  updated_at: 'string',
  person_id: 'string|null',
  interaction_id: 'string',
  conversation_id: 'string|null',
  network_id: 'string',
} as const satisfies Record<string, FieldType>;

/** dadei's EpisodicMemory (models.types.ts); a memory a voice command stored has no source conversation. */
export const MEMORY_FIELDS = {
  id: 'string',
  network_id: 'string',
  source_conversation_id: 'string|null',
  memory_type: 'string',
  status: 'string',
  canonical_text: 'string',
  action_kind: 'string|null',
  participant_person_ids: 'string[]',
  proposed_start_at: 'string|null',
  proposed_end_at: 'string|null',
  expires_at: 'string|null',
  confidence: 'number|null',
  provenance: 'object',
  transition_history: 'array',
  created_at: 'string',
  updated_at: 'string',
} as const satisfies Record<string, FieldType>;

/**
 * dadei's CommandSSEEvent (command.ts): each `data: {json}` line of POST /actions/voice, by `type`, with the fields
 * the app reads (tool_result's `summary` is optional); the stream ends with `done`.
 */
export const COMMAND_EVENT_FIELDS = {
  transcript: { text: 'string' },
  token: { text: 'string' },
  tool_call: { tool: 'string', status: 'string' },
  tool_result: { tool: 'string', ok: 'boolean' },
  error: { message: 'string' },
  done: {},
} as const satisfies Record<string, Record<string, FieldType>>;

export const TOKEN_FIELDS = { access_token: 'string', refresh_token: 'string' } as const satisfies Record<
  string,
  FieldType
>;

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; fields: Record<string, string> }
  | { kind: 'multipart'; fields: Record<string, string>; files: Record<string, string> };

export interface AppCall {
  /** `<module>.<function>` in the app's API module. */
  id: string;
  apps: AppLine[];
  /** Where the call is made (path in the app's repository). */
  source: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `root` = `${URL}/` (no prefix); `api` = under `${URL}/api/v1` or `/api/v2`. */
  base: 'root' | 'api';
  /** Path as the app builds it; `:name` segments are filled with encodeURIComponent(value). */
  path: string;
  /** Query parameters the app sends (values as sent; `[]` = the key repeated once per value). */
  query?: Record<string, string | string[]>;
  body: Body;
  /** Statuses the app treats as success: a list, or '2xx' when any 2xx will do (axios' default). */
  success: number[] | '2xx';
  /** Failure statuses the app reacts to specifically, and how. */
  handles?: Record<number, string>;
  /** The response: a JSON object, an array of objects, an array of strings, or nothing the app reads. */
  response: 'object' | 'array' | 'string[]' | 'none' | 'event-stream';
  /** Fields the app reads from the object (or from each element of the array). */
  reads?: Record<string, FieldType>;
  /** Which UI path makes the call; 'module only' = exported by the API module but not called by the UI. */
  usedBy: string;
  /**
   * Part of a sign-in with Google or GitHub: replayed with the providers at the wire
   * (test/e2e/apps-contract-sign-in.e2e-spec.ts), not in the main replay.
   */
  viaProvider?: true;
}

const API_DESKTOP = 'renderer/src/lib/api';
const API_DADEI = 'packages/ui/src/lib/api';

export const APP_CALLS: AppCall[] = [
  // ─── version gate ───────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'updater.versionGate',
    apps: ['desktop-app', 'dadei'],
    source:
      'desktop-app main/updater.ts assertBackendMajorCompatible; dadei apps/desktop/main/updater.ts getBackendVersionGate',
    method: 'GET',
    base: 'root',
    path: '/',
    body: { kind: 'none' },
    success: [200],
    response: 'object',
    reads: { version: 'string' },
    usedBy: 'Electron main process at launch (no token)',
  },
  // ─── auth ───────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'auth.register',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/auth.ts register; ${API_DADEI}/auth.ts register`,
    method: 'POST',
    base: 'api',
    path: '/auth/register',
    body: { kind: 'json', fields: { email: 'string', password: 'string' } },
    success: '2xx',
    response: 'object',
    reads: TOKEN_FIELDS,
    usedBy: 'sign-up form (errors: shows response `detail`)',
  },
  {
    id: 'auth.login',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/auth.ts login; ${API_DADEI}/auth.ts login`,
    method: 'POST',
    base: 'api',
    path: '/auth/login',
    body: { kind: 'json', fields: { email: 'string', password: 'string' } },
    success: '2xx',
    response: 'object',
    reads: TOKEN_FIELDS,
    usedBy: 'sign-in form (errors: shows response `detail`)',
  },
  {
    id: 'auth.refresh',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/auth.ts refresh; ${API_DADEI}/auth.ts refresh`,
    method: 'POST',
    base: 'api',
    path: '/auth/refresh',
    body: { kind: 'json', fields: { refresh_token: 'string' } },
    success: '2xx',
    response: 'object',
    reads: { access_token: 'string' },
    usedBy: 'at start (stored tokens) and on any 401, then the failed call is retried once',
  },
  {
    id: 'auth.me',
    apps: ['dadei'],
    source: `${API_DADEI}/auth.ts me`,
    method: 'GET',
    base: 'api',
    path: '/auth/me',
    body: { kind: 'none' },
    success: '2xx',
    response: 'object',
    reads: { id: 'string', email: 'string' },
    usedBy: 'after sign-in; settings (has_password comes with provider sign-in)',
  },
  {
    id: 'auth.deleteMe',
    apps: ['dadei'],
    source: `${API_DADEI}/auth.ts deleteMe`,
    method: 'DELETE',
    base: 'api',
    path: '/auth/me',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy: 'settings: delete account',
  },
  {
    id: 'auth.googleUrl',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/auth.ts getGoogleOAuthUrl; main/auth/oauth-handler.ts`,
    method: 'GET',
    base: 'api',
    path: '/auth/google/url',
    query: { redirect_port: '4280' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'object',
    reads: { url: 'string', state: 'string' },
    usedBy: 'sign in with Google',
    viaProvider: true,
  },
  {
    id: 'auth.googleCallback',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/auth.ts googleCallback; ${API_DADEI}/auth.ts googleCallback`,
    method: 'POST',
    base: 'api',
    path: '/auth/google/callback',
    body: { kind: 'json', fields: { code: 'string', state: 'string' } },
    success: '2xx',
    response: 'object',
    reads: TOKEN_FIELDS,
    usedBy: 'sign in with Google',
    viaProvider: true,
  },
  {
    id: 'auth.githubUrl',
    apps: ['desktop-app'],
    source: `${API_DESKTOP}/auth.ts getGitHubOAuthUrl; main/auth/oauth-handler.ts`,
    method: 'GET',
    base: 'api',
    path: '/auth/github/url',
    query: { redirect_port: '4280' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'object',
    reads: { url: 'string' },
    usedBy: 'sign in with GitHub',
    viaProvider: true,
  },
  {
    id: 'auth.githubExchange',
    apps: ['desktop-app'],
    source: `${API_DESKTOP}/auth.ts gitHubExchange`,
    method: 'POST',
    base: 'api',
    path: '/auth/github/exchange',
    body: { kind: 'json', fields: { code: 'string', redirect_port: 'number' } },
    success: '2xx',
    response: 'object',
    reads: TOKEN_FIELDS,
    usedBy: 'sign in with GitHub',
    viaProvider: true,
  },
  // ─── devices and the switch ─────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'service.registerClient',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/service.ts registerClient; ${API_DADEI}/service.ts registerClient`,
    method: 'POST',
    base: 'api',
    path: '/service/clients',
    body: {
      kind: 'json',
      fields: {
        client_id: 'string (desktop-app: always; dadei: optional, the server assigns client1, client2, …)',
        metadata: '{local_ip, external_ip}',
      },
    },
    success: '2xx',
    handles: { 409: 'desktop-app: "client name already in use", microphone stays off' },
    response: 'object',
    reads: { client_id: 'string', connected_at: 'string' },
    usedBy: 'desktop-app ServiceContext after sign-in; dadei: module only',
  },
  {
    id: 'service.listClients',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/service.ts listClients; ${API_DADEI}/service.ts listClients`,
    method: 'GET',
    base: 'api',
    path: '/service/clients',
    body: { kind: 'none' },
    success: '2xx',
    response: 'string[]',
    usedBy: 'desktop-app Header: is a new client name free (`!list.includes(name)`); dadei: module only',
  },
  {
    id: 'service.renameClient',
    apps: ['desktop-app'],
    source: `${API_DESKTOP}/service.ts renameClient`,
    method: 'PATCH',
    base: 'api',
    path: '/service/clients/:clientId/rename',
    body: { kind: 'json', fields: { new_client_id: 'string' } },
    success: '2xx',
    response: 'object',
    reads: { client_id: 'string', connected_at: 'string' },
    usedBy: 'desktop-app Header: client name box (after the list said the name is free)',
  },
  {
    id: 'service.deregisterClient',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/service.ts deregisterClient; main/background.ts deregisterClient; ${API_DADEI}/service.ts`,
    method: 'DELETE',
    base: 'api',
    path: '/service/clients/:clientId',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy: 'desktop-app on sign-out, window close and quit (repeats are normal); dadei: module only',
  },
  {
    id: 'service.enable',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/service.ts enable; ${API_DADEI}/service.ts enable`,
    method: 'PATCH',
    base: 'api',
    path: '/service/network/enable',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy: 'microphone switch; the app then waits 5 s for the socket event service_status {enabled: true}',
  },
  {
    id: 'service.disable',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/service.ts disable; ${API_DADEI}/service.ts disable`,
    method: 'PATCH',
    base: 'api',
    path: '/service/network/disable',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy: 'microphone switch (retried once after 1 s)',
  },
  // ─── interactions ───────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'interactions.register',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/interactions.ts register; ${API_DADEI}/interactions.ts register`,
    method: 'POST',
    base: 'api',
    path: '/interactions/register',
    body: {
      kind: 'multipart',
      fields: {
        client_id: 'string',
        session_token: 'dadei, when session_ready gave one',
        chunk_start_ms: 'dadei: device epoch ms when speech was detected',
        chunk_end_ms: 'dadei: device epoch ms when the segment ended',
      },
      files: { audio: 'WAV PCM16 mono 16 kHz, 0.42-10 s, filename audio.wav, type audio/wav' },
    },
    success: [204],
    response: 'none',
    usedBy: 'every VAD segment while the switch is on (30 s timeout, no retry, errors only logged)',
  },
  {
    id: 'interactions.getAll',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/interactions.ts getAll; ${API_DADEI}/interactions.ts getAll`,
    method: 'GET',
    base: 'api',
    path: '/interactions',
    query: { limit: '50', offset: '0' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: INTERACTION_FIELDS,
    usedBy: 'desktop-app InteractionPanel load; dadei useInteractionsQuery',
  },
  {
    id: 'interactions.bootstrapForConversations',
    apps: ['dadei'],
    source: `${API_DADEI}/interactions.ts getBootstrapForConversations`,
    method: 'GET',
    base: 'api',
    path: '/interactions',
    query: { limit: '500', offset: '0', conversation_ids: [] },
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: INTERACTION_FIELDS,
    usedBy: 'dadei interaction panel: the recent conversations’ interactions (conversation_ids repeated)',
  },
  {
    id: 'interactions.bootstrapOrphans',
    apps: ['dadei'],
    source: `${API_DADEI}/interactions.ts getBootstrapForConversations`,
    method: 'GET',
    base: 'api',
    path: '/interactions',
    query: { limit: '500', offset: '0', orphans_only: 'true' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: INTERACTION_FIELDS,
    usedBy: 'dadei interaction panel when there is no recent conversation',
  },
  {
    id: 'interactions.getById',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/interactions.ts getById; ${API_DADEI}/interactions.ts getById`,
    method: 'GET',
    base: 'api',
    path: '/interactions/:interactionId',
    body: { kind: 'none' },
    success: '2xx',
    response: 'object',
    reads: INTERACTION_FIELDS,
    usedBy: 'module only',
  },
  {
    id: 'interactions.delete',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/interactions.ts delete; ${API_DADEI}/interactions.ts delete`,
    method: 'DELETE',
    base: 'api',
    path: '/interactions/:interactionId',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy:
      'delete one; delete a group; clear all (also for interactions already gone with their conversation)',
  },
  // ─── conversations ──────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'conversations.getAll.desktop',
    apps: ['desktop-app'],
    source: `${API_DESKTOP}/conversations.ts getAll`,
    method: 'GET',
    base: 'api',
    path: '/conversations',
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: CONVERSATION_FIELDS,
    usedBy: 'module only',
  },
  {
    id: 'conversations.getRecent',
    apps: ['dadei'],
    source: `${API_DADEI}/conversations.ts getRecent (getAll = limit 100)`,
    method: 'GET',
    base: 'api',
    path: '/conversations',
    query: { limit: '10', offset: '0' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: CONVERSATION_FIELDS,
    usedBy: 'dadei interaction panel: recent conversations, newest first',
  },
  {
    id: 'conversations.getById',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/conversations.ts getById; ${API_DADEI}/conversations.ts getById`,
    method: 'GET',
    base: 'api',
    path: '/conversations/:conversationId',
    body: { kind: 'none' },
    success: '2xx',
    handles: { 404: 'gone: desktop-app shows the group untitled; dadei drops it and its interactions' },
    response: 'object',
    reads: CONVERSATION_FIELDS,
    usedBy: 'both panels, for every conversation id an interaction carries',
  },
  {
    id: 'conversations.delete',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/conversations.ts delete; ${API_DADEI}/conversations.ts delete`,
    method: 'DELETE',
    base: 'api',
    path: '/conversations/:conversationId',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy:
      'clear all (desktop-app); delete a conversation and clear all (dadei): its interactions go with it',
  },
  // ─── persons ────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'persons.getAll',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/persons.ts getAll; ${API_DADEI}/persons.ts getAll`,
    method: 'GET',
    base: 'api',
    path: '/persons',
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: PERSON_FIELDS,
    usedBy: 'people panel',
  },
  {
    id: 'persons.getById',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/persons.ts getById; ${API_DADEI}/persons.ts getById`,
    method: 'GET',
    base: 'api',
    path: '/persons/:personId',
    body: { kind: 'none' },
    success: '2xx',
    response: 'object',
    reads: PERSON_FIELDS,
    usedBy: 'desktop-app panel: the speaker of each interaction; dadei usePersonQuery',
  },
  {
    id: 'persons.update.rename',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/persons.ts update; ${API_DADEI}/persons.ts update`,
    method: 'PATCH',
    base: 'api',
    path: '/persons/:personId',
    body: { kind: 'multipart', fields: { name: 'string' }, files: {} },
    success: '2xx',
    response: 'object',
    reads: PERSON_FIELDS,
    usedBy: 'people panel rename (dadei stores the returned Person)',
  },
  {
    id: 'persons.update.enrol',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/persons.ts update; ${API_DADEI}/persons.ts update`,
    method: 'PATCH',
    base: 'api',
    path: '/persons/:personId',
    body: {
      kind: 'multipart',
      fields: { expected_text: 'what the person read aloud' },
      files: { audio: 'a recording of the person (File)' },
    },
    success: '2xx',
    response: 'object',
    reads: PERSON_FIELDS,
    usedBy: 'module only (the update function sends audio + expected_text when given)',
  },
  {
    id: 'persons.delete',
    apps: ['desktop-app', 'dadei'],
    source: `${API_DESKTOP}/persons.ts delete; ${API_DADEI}/persons.ts delete`,
    method: 'DELETE',
    base: 'api',
    path: '/persons/:personId',
    body: { kind: 'none' },
    success: '2xx',
    response: 'none',
    usedBy: 'people panel',
  },
  // ─── actions, memories, voice commands (dadei) ──────────────────────────────────────────────────────────────────
  {
    id: 'actions.list',
    apps: ['dadei'],
    source: `${API_DADEI}/actions.ts list`,
    method: 'GET',
    base: 'api',
    path: '/actions',
    query: { limit: '100', offset: '0' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: ACTION_FIELDS,
    usedBy: 'assistant shell and settings',
  },
  {
    id: 'actions.updateStatus',
    apps: ['dadei'],
    source: `${API_DADEI}/actions.ts updateStatus`,
    method: 'PATCH',
    base: 'api',
    path: '/actions/:actionId',
    body: { kind: 'json', fields: { status: "'confirmed' | 'dismissed'" } },
    success: '2xx',
    response: 'object',
    reads: ACTION_FIELDS,
    usedBy: 'module only',
  },
  {
    id: 'memories.list',
    apps: ['dadei'],
    source: `${API_DADEI}/memories.ts list`,
    method: 'GET',
    base: 'api',
    path: '/memories',
    query: { limit: '100' },
    body: { kind: 'none' },
    success: '2xx',
    response: 'array',
    reads: MEMORY_FIELDS,
    usedBy: 'assistant shell and settings',
  },
  {
    id: 'command.streamCommand',
    apps: ['dadei'],
    source: `${API_DADEI}/command.ts streamCommand (fetch, not axios)`,
    method: 'POST',
    base: 'api',
    path: '/actions/voice',
    body: {
      kind: 'multipart',
      fields: { client_id: 'string', session_token: 'when it has one' },
      files: { audio: 'WAV, filename audio.wav' },
    },
    success: '2xx',
    response: 'event-stream',
    usedBy: 'segments that start with the wake word (events: COMMAND_EVENT_FIELDS)',
  },
];
