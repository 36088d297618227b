import { DataSource } from 'typeorm';
import { AudioService } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { registerClient, startTestApp, TestApp, userWithNetwork } from '../support/app.js';
import {
  FakeGemini,
  FakeGeminiReply,
  geminiStatus,
  geminiStream,
  geminiText,
  RecordedGeminiRequest,
} from '../support/fake-gemini.js';
import { readAudio } from '../support/speech.js';
import { waitFor } from '../support/wait.js';

type CommandEvent = Record<string, unknown> & { type: string };

/** What the app reads: every `data: {json}` line, in order (comments and blank lines are not events). */
function dataEvents(body: string): CommandEvent[] {
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5).trim()) as CommandEvent);
}

const isTranscription = (r: RecordedGeminiRequest) =>
  !r.stream && (r.body.contents ?? []).some((c) => (c.parts ?? []).some((p) => p.inlineData));
const parts = (r: RecordedGeminiRequest) => (r.body.contents ?? []).flatMap((c) => c.parts ?? []);

/**
 * POST /actions/voice as dadei calls it (multipart WAV + client_id, bearer token) over real HTTP, read as the app
 * reads it (text/event-stream, `data:` lines), with Gemini behind a local fake at the wire that speaks both
 * generateContent (transcription) and streamGenerateContent with function calls, through the real SDK.
 */
describe('voice commands', () => {
  let fake: FakeGemini;
  let t: TestApp;
  let wav: Buffer;
  const transcripts: FakeGeminiReply[] = [];
  const turns: FakeGeminiReply[] = [];

  beforeAll(async () => {
    fake = await FakeGemini.start();
    fake.respondWith((request) =>
      request.stream ? (turns.shift() ?? geminiStatus(500)) : (transcripts.shift() ?? geminiStatus(500)),
    );
    t = await startTestApp(fake.env({ TRANSCRIBER: 'gemini', GEMINI_TIMEOUT_MS: '10000' }));
    // the app sends WAV PCM16 16 kHz mono
    const decoded = await t.app.get(AudioService).decode(readAudio(librispeechDevFiles('1998')[0]!));
    wav = encodeWav16(decoded.samples.subarray(0, 16000 * 4), 16000);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    transcripts.length = 0;
    turns.length = 0;
  });

  const form = (clientId: string | null, audio: Buffer = wav) => {
    const body = new FormData();
    body.append('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'audio.wav');
    if (clientId !== null) body.append('client_id', clientId);
    body.append('session_token', 'not-needed');
    return body;
  };
  const command = async (app: TestApp, token: string, clientId: string | null = 'desktop-client') => {
    const res = await fetch(`${app.baseUrl}/api/v1/actions/voice`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form(clientId),
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('runs the tools Gemini calls on the account’s data and streams transcript, tokens, tool calls and done', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const other = await userWithNetwork(t);
    transcripts.push(geminiText('Dadei, remind me to call mom tomorrow at 3 pm. Bob is allergic to nuts.'));
    turns.push(
      geminiStream([
        [{ text: 'Sure. ' }],
        [
          {
            functionCall: {
              name: 'create_reminder',
              args: { description: 'call mom', time: '2030-01-02T15:00:00Z' },
            },
          },
          {
            functionCall: {
              name: 'store_memory',
              args: { text: 'Bob is allergic to nuts.', memory_type: 'fact' },
            },
          },
        ],
      ]),
      geminiStream([[{ text: 'I will remind you ' }], [{ text: 'and I will remember it.' }]]),
    );
    const res = await command(t, session.accessToken);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/event-stream/);
    const events = dataEvents(res.text);
    expect(events).toEqual([
      { type: 'transcript', text: 'Dadei, remind me to call mom tomorrow at 3 pm. Bob is allergic to nuts.' },
      { type: 'token', text: 'Sure. ' },
      { type: 'tool_call', tool: 'create_reminder', status: 'running' },
      {
        type: 'tool_result',
        tool: 'create_reminder',
        ok: true,
        summary: 'Reminder: call mom at 2030-01-02T15:00:00.000Z',
      },
      { type: 'tool_call', tool: 'store_memory', status: 'running' },
      {
        type: 'tool_result',
        tool: 'store_memory',
        ok: true,
        summary: 'Remembered: Bob is allergic to nuts.',
      },
      { type: 'token', text: 'I will remind you ' },
      { type: 'token', text: 'and I will remember it.' },
      { type: 'done' },
    ]);

    // Gemini saw every tool, and read both results back in its second turn
    const streams = fake.requests.filter((r) => r.stream);
    expect(streams).toHaveLength(2);
    const declared = streams[0]!.body.tools
      ?.flatMap((tool) => tool.functionDeclarations ?? [])
      .map((f) => f.name);
    expect(declared).toEqual([
      'create_reminder',
      'create_task',
      'create_calendar_event',
      'store_memory',
      'search_memory',
      'get_current_time',
      'send_email',
      'web_search',
    ]);
    const answers = parts(streams[1]!)
      .filter((p) => p.functionResponse)
      .map((p) => p.functionResponse!);
    expect(answers.map((a) => a.name)).toEqual(['create_reminder', 'store_memory']);
    expect(answers[0]!.response).toMatchObject({ created: true, action_type: 'remind' });

    // one interaction, outside conversations; the reminder is its action; the memory points at it
    const interactions = (
      await t.http().get(`/api/v2/${networkId}/interactions`).set(session.auth).expect(200)
    ).body.items as Array<Record<string, unknown>>;
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({
      content: 'Dadei, remind me to call mom tomorrow at 3 pm. Bob is allergic to nuts.',
      conversation_id: null,
      metadata: { voice_command: { client_id: 'desktop-client', engine: 'gemini' } },
    });
    const actions = (await t.http().get(`/api/v1/${networkId}/actions`).set(session.auth).expect(200)).body;
    expect(actions).toEqual([
      expect.objectContaining({
        interaction_id: interactions[0]!.id,
        action_type: 'remind',
        details: { time: '2030-01-02T15:00:00.000Z', description: 'call mom' },
        scheduled_time: '2030-01-02T15:00:00.000Z',
        source: 'gemini',
        status: 'pending',
      }),
    ]);
    const memories = (await t.http().get('/api/v1/memories').set(session.auth).expect(200)).body;
    expect(memories).toEqual([
      expect.objectContaining({
        canonical_text: 'Bob is allergic to nuts.',
        memory_type: 'fact',
        source_conversation_id: null,
        source_interaction_id: interactions[0]!.id,
        provenance: { source: 'voice_command', engine: 'gemini' },
      }),
    ]);
    expect(
      (await t.http().get(`/api/v1/${networkId}/conversations`).set(session.auth).expect(200)).body,
    ).toEqual([]);
    const jobs = (await t.app
      .get(DataSource)
      .query(`SELECT type FROM jobs WHERE network_id = $1 AND type = 'interaction.infer'`, [
        networkId,
      ])) as unknown[];
    expect(jobs).toEqual([]);
    // the other account has none of it
    expect((await t.http().get('/api/v1/memories').set(other.session.auth).expect(200)).body).toEqual([]);
    expect(
      (await t.http().get(`/api/v1/${other.networkId}/actions`).set(other.session.auth).expect(200)).body,
    ).toEqual([]);
  });

  it('answers tools Mira cannot perform with ok=false, searches memories, tells the time, one action per command', async () => {
    const { session } = await userWithNetwork(t);
    transcripts.push(geminiText('Dadei, remember that the boiler code is 4711.'));
    turns.push(
      geminiStream([
        [{ functionCall: { name: 'store_memory', args: { text: 'The boiler code is 4711.' } } }],
      ]),
      geminiStream([[{ text: 'Noted.' }]]),
    );
    expect(dataEvents((await command(t, session.accessToken)).text).at(-1)).toEqual({ type: 'done' });

    transcripts.push(geminiText('Dadei, e-mail Sam the boiler code, search the web, and what time is it?'));
    turns.push(
      geminiStream([
        [
          { functionCall: { name: 'send_email', args: { to: 'sam@example.com', body: 'code' } } },
          { functionCall: { name: 'search_memory', args: { query: 'boiler code' } } },
          { functionCall: { name: 'web_search', args: { query: 'boiler' } } },
          { functionCall: { name: 'get_current_time', args: {} } },
          { functionCall: { name: 'create_task', args: { description: 'fix the boiler' } } },
          {
            functionCall: {
              name: 'create_calendar_event',
              args: { name: 'Boiler service', start_time: '2030-03-01T09:00:00Z' },
            },
          },
          { functionCall: { name: 'launch_rocket', args: {} } },
        ],
      ]),
      geminiStream([[{ text: 'I cannot send e-mail; the code is 4711.' }]]),
    );
    const events = dataEvents((await command(t, session.accessToken)).text);
    const results = events.filter((e) => e.type === 'tool_result');
    expect(results).toEqual([
      { type: 'tool_result', tool: 'send_email', ok: false, summary: 'Mira cannot send e-mail' },
      { type: 'tool_result', tool: 'search_memory', ok: true, summary: '1 memory found' },
      { type: 'tool_result', tool: 'web_search', ok: false, summary: 'Mira cannot search the web' },
      {
        type: 'tool_result',
        tool: 'get_current_time',
        ok: true,
        summary: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      { type: 'tool_result', tool: 'create_task', ok: true, summary: 'Task: fix the boiler' },
      {
        type: 'tool_result',
        tool: 'create_calendar_event',
        ok: false,
        summary: 'This command already created an action (one action per command)',
      },
      { type: 'tool_result', tool: 'launch_rocket', ok: false, summary: 'Unknown tool launch_rocket' },
    ]);
    expect(events.at(-2)).toEqual({ type: 'token', text: 'I cannot send e-mail; the code is 4711.' });
    const answers = parts(fake.requests.filter((r) => r.stream).at(-1)!)
      .filter((p) => p.functionResponse)
      .map((p) => p.functionResponse!);
    expect(answers.find((a) => a.name === 'search_memory')!.response).toMatchObject({
      memories: [expect.objectContaining({ text: 'The boiler code is 4711.' })],
    });
    expect(answers.find((a) => a.name === 'send_email')!.response).toEqual({
      error: 'Mira cannot send e-mail',
    });
  });

  it('opens the stream before Gemini answers, and a client that goes away stops the work', async () => {
    const { session, networkId } = await userWithNetwork(t);
    transcripts.push(geminiText('Dadei, plan my week.', 5_000));
    turns.push(geminiStream([[{ text: 'Let me think' }]], { holdMs: 60_000 }));
    const abort = new AbortController();
    const res = await fetch(`${t.baseUrl}/api/v1/actions/voice`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.accessToken}` },
      body: form('desktop-client'),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = decoder.decode((await reader.read()).value, { stream: true });
    // the first bytes arrive before the transcription came back from Gemini
    expect(received.length).toBeGreaterThan(0);
    expect(dataEvents(received)).toEqual([]);
    while (!received.includes('Let me think'))
      received += decoder.decode((await reader.read()).value, { stream: true });
    abort.abort();
    await waitFor(() => fake.abandonedStreams >= 1, {
      what: 'the Gemini stream to be closed',
      timeoutMs: 20_000,
    });
    const interactions = (
      await t.http().get(`/api/v2/${networkId}/interactions`).set(session.auth).expect(200)
    ).body.items as unknown[];
    expect(interactions).toHaveLength(1);
    expect(fake.requests.filter((r) => r.stream)).toHaveLength(1);
    expect(fake.requests.filter(isTranscription)).toHaveLength(1);
  });

  it('falls back to the rule-based extractor when Gemini fails before answering, and reports a later failure', async () => {
    const { session, networkId } = await userWithNetwork(t);
    transcripts.push(geminiText('Dadei, remind me to call the plumber tomorrow at 3pm'));
    turns.push(geminiStatus(500));
    const events = dataEvents((await command(t, session.accessToken)).text);
    expect(events.map((e) => e.type)).toEqual(['transcript', 'tool_call', 'tool_result', 'token', 'done']);
    expect(events[2]).toMatchObject({ tool: 'create_reminder', ok: true });
    const actions = (await t.http().get(`/api/v1/${networkId}/actions`).set(session.auth).expect(200)).body;
    expect(actions).toEqual([
      expect.objectContaining({
        action_type: 'remind',
        source: 'rules',
        details: expect.objectContaining({ description: expect.stringContaining('plumber') }),
      }),
    ]);

    transcripts.push(geminiText('Dadei, what is on today?'));
    turns.push(geminiStream([[{ text: 'Let me ' }]]));
    // the first turn answered text only: the command is over after it
    expect(dataEvents((await command(t, session.accessToken)).text)).toEqual([
      { type: 'transcript', text: 'Dadei, what is on today?' },
      { type: 'token', text: 'Let me ' },
      { type: 'done' },
    ]);
    transcripts.push(geminiText('Dadei, note my keys are in the drawer.'));
    turns.push(
      geminiStream([
        [{ text: 'Okay. ' }],
        [{ functionCall: { name: 'store_memory', args: { text: 'The keys are in the drawer.' } } }],
      ]),
      geminiStatus(500),
    );
    const failed = dataEvents((await command(t, session.accessToken)).text);
    expect(failed.slice(-2)).toEqual([
      { type: 'error', message: 'The assistant could not finish the command (server)' },
      { type: 'done' },
    ]);
    // what was done before the failure stays done
    expect(failed).toContainEqual({
      type: 'tool_result',
      tool: 'store_memory',
      ok: true,
      summary: 'Remembered: The keys are in the drawer.',
    });
  });

  it('refuses before streaming: no token 401, no client_id 422, audio that is no audio 422/415, another device 403', async () => {
    const { session, networkId } = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'kitchen');
    const post = (auth: Record<string, string>) => t.http().post('/api/v1/actions/voice').set(auth);
    await post({}).attach('audio', wav, 'audio.wav').field('client_id', 'x').expect(401);
    const missing = await post(session.auth).attach('audio', wav, 'audio.wav').expect(422);
    expect(missing.body).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    // text is no audio: read as headerless PCM16 it has an odd byte count (422), a bad header is undecodable (415)
    for (const [bytes, name, status, code] of [
      [Buffer.from('this is not audio at all, just text'), 'audio.wav', 422, 'AUDIO_ODD_LENGTH_PCM'],
      [Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(500, 3)]), 'audio.flac', 415, 'AUDIO_UNDECODABLE'],
    ] as const) {
      const refused = await post(session.auth)
        .attach('audio', bytes, name)
        .field('client_id', 'desktop-client')
        .expect(status);
      expect(refused.headers['content-type']).toMatch(/application\/json/);
      expect(refused.body.error_code).toBe(code);
    }
    await post(device).attach('audio', wav, 'audio.wav').field('client_id', 'hall').expect(403);
    await post(session.auth).attach('audio', wav, 'audio.wav').field('client_id', ' bad/name').expect(422);
    await post(session.auth).field('client_id', 'desktop-client').expect(422);
    expect(fake.requests).toEqual([]);
  });

  it('is documented in OpenAPI: multipart in, text/event-stream out with the event schema, its refusals', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body;
    for (const v of [1, 2]) {
      const op = spec.paths[`/api/v${v}/actions/voice`].post;
      expect(Object.keys(op.requestBody.content)).toEqual(['multipart/form-data']);
      const stream = op.responses['200'].content['text/event-stream'].schema;
      expect(
        stream.oneOf.map((e: { properties: { type: { enum: string[] } } }) => e.properties.type.enum[0]),
      ).toEqual(['transcript', 'token', 'tool_call', 'tool_result', 'error', 'done']);
      expect(Object.keys(op.responses).sort()).toEqual([
        '200',
        '401',
        '403',
        '404',
        '408',
        '413',
        '415',
        '422',
        '429',
        '431',
      ]);
      expect(spec.paths[`/api/v${v}/memories`].get.responses['200']).toBeDefined();
    }
  });

  it('offline without a transcriber answers an error event; the llm budget limits commands', async () => {
    const offline = await startTestApp({
      TRANSCRIBER: 'none',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LLM: '1',
    });
    try {
      const { session } = await userWithNetwork(offline);
      const res = await command(offline, session.accessToken);
      expect(res.status).toBe(200);
      expect(dataEvents(res.text)).toEqual([
        { type: 'error', message: expect.stringContaining('could not be transcribed') },
        { type: 'done' },
      ]);
      const limited = await command(offline, session.accessToken);
      expect(limited.status).toBe(429);
      expect(JSON.parse(limited.text)).toMatchObject({ error_code: expect.any(String) });
    } finally {
      await offline.close();
    }
  });
});
