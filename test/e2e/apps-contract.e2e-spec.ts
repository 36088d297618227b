import { readFileSync } from 'node:fs';
import { AudioService } from '@mira/audio';
import { APP_CALLS, APP_LINES, type AppLine } from '../contract/apps-contract.js';
import { body, problems, replayer } from '../contract/replay.js';
import { startTestApp, TestApp } from '../support/app.js';
import {
  FakeGemini,
  geminiJson,
  geminiRequestKind,
  geminiStream,
  geminiText,
  type RecordedGeminiRequest,
} from '../support/fake-gemini.js';
import { librispeechDevFiles, librispeechTrainFiles } from '../../tooling/shared-data.js';
import { loadSpeech, wav } from '../support/stream-audio.js';

/**
 * The shipped apps' contract does not drift. Every call of test/contract/apps-contract.ts that Mira serves
 * is replayed as each app line makes it (its base path, /api/v1 and /api/v2, its method, path, query and body, sent
 * with fetch and FormData as a browser would), and its answer is checked against what the app's code accepts (the
 * status) and reads (the fields and their types). A call added to the fixture without a replay fails the test.
 * Gemini is a local fake at the wire: it transcribes every segment and voice command as the same sentence, answers
 * the command with a store_memory call, and the inference with a reminder.
 */

const HEARD = 'Dadei, remember that the plumber comes on Tuesday.';
const REMEMBERED = 'The plumber comes on Tuesday.';

/** The command's second turn carries the tool's result back: then the model answers in words. */
const answersTool = (r: RecordedGeminiRequest) =>
  (r.body.contents ?? []).some((c) => (c.parts ?? []).some((p) => p.functionResponse));

describe('the shipped apps’ contract (test/contract/apps-contract.ts) replayed against a real server', () => {
  let fake: FakeGemini;
  let t: TestApp;
  let segment: Buffer;
  const [enrolmentSpeech] = librispeechDevFiles('1998');

  beforeAll(async () => {
    fake = await FakeGemini.start();
    fake.respondWith((request) => {
      switch (geminiRequestKind(request)) {
        case 'transcription':
          return geminiText(HEARD);
        case 'command':
          return answersTool(request)
            ? geminiStream([[{ text: 'I will remember that.' }]])
            : geminiStream([
                [{ functionCall: { name: 'store_memory', args: { text: REMEMBERED, memory_type: 'fact' } } }],
              ]);
        case 'actions':
          return geminiJson({
            call_to_action: true,
            action_type: 'remind',
            remind: { time: '2030-01-02T09:00:00', description: 'call the plumber' },
          });
        case 'memories':
          return geminiJson({ memories: [] });
        case 'summary':
          return geminiJson({ topic_summary: 'Plans', context_summary: 'Plans were made.' });
      }
    });
    t = await startTestApp(fake.env({ TRANSCRIBER: 'gemini' }));
    segment = wav(await loadSpeech(t.app.get(AudioService), librispeechTrainFiles()[0]!, 1, 3));
  }, 180_000); // a whole app on a busy machine

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('lists each call once per app and serves every call of the issue’s table', () => {
    const ids = APP_CALLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const served = APP_CALLS.map((c) => `${c.method} ${c.path}`);
    for (const route of [
      'POST /service/clients',
      'GET /service/clients',
      'PATCH /service/clients/:clientId/rename',
      'DELETE /service/clients/:clientId',
      'PATCH /service/network/enable',
      'PATCH /service/network/disable',
      'POST /interactions/register',
      'GET /interactions',
      'DELETE /interactions/:interactionId',
      'GET /conversations',
      'GET /conversations/:conversationId',
      'DELETE /conversations/:conversationId',
      'GET /persons',
      'GET /persons/:personId',
      'PATCH /persons/:personId',
      'DELETE /persons/:personId',
      'GET /actions',
      'PATCH /actions/:actionId',
      'GET /memories',
      'POST /actions/voice',
      'GET /',
    ]) {
      expect(served).toContain(route);
    }
  });

  it('the check fails on drift: another status, a missing or retyped field, an envelope instead of a bare list', () => {
    const call = (id: string) => APP_CALLS.find((c) => c.id === id)!;
    const register = call('interactions.register');
    expect(problems(register, { status: 204, body: null })).toEqual([]);
    expect(problems(register, { status: 200, body: {} })).toEqual([expect.stringContaining('status 200')]);
    expect(problems(register, { status: 201, body: null })).toEqual([expect.stringContaining('status 201')]);

    const list = call('interactions.getAll');
    const row = {
      id: 'a',
      text: 'Hello',
      timestamp: '2026-01-01T00:00:00.000Z',
      network_id: 'n',
      person_id: null,
      conversation_id: null,
      sentiment: null,
    };
    expect(problems(list, { status: 200, body: [row] })).toEqual([]);
    expect(problems(list, { status: 200, body: { items: [row] } })).toEqual(['body is not an array']);
    const withoutText: Record<string, unknown> = { ...row };
    delete withoutText.text;
    expect(problems(list, { status: 200, body: [withoutText] })).toEqual([
      'body[0].text = undefined, the app reads string',
    ]);
    expect(problems(list, { status: 200, body: [{ ...row, timestamp: 1767225600000 }] })).toEqual([
      'body[0].timestamp = 1767225600000, the app reads string',
    ]);
    expect(problems(list, { status: 200, body: [] })).toEqual([
      'the replay expected rows to check, the list is empty',
    ]);

    const clients = call('service.listClients');
    expect(problems(clients, { status: 200, body: ['desk'] })).toEqual([]);
    expect(problems(clients, { status: 200, body: [{ client_id: 'desk' }] })).toEqual([
      'body is not string[]',
    ]);
    const voice = call('command.streamCommand');
    const stream = 'text/event-stream; charset=utf-8';
    const events = [
      { type: 'transcript', text: 'hello' },
      { type: 'tool_result', tool: 'store_memory', ok: true },
      { type: 'done' },
    ];
    expect(problems(voice, { status: 200, body: events, contentType: stream })).toEqual([]);
    expect(problems(voice, { status: 200, body: events, contentType: 'application/json' })).toEqual([
      'content type application/json, the app reads text/event-stream',
    ]);
    expect(problems(voice, { status: 200, body: events.slice(0, 2), contentType: stream })).toEqual([
      'the stream does not end with a done event',
    ]);
    expect(
      problems(voice, {
        status: 200,
        body: [{ type: 'tool_result', tool: 'x', ok: 'yes' }, events[2]],
        contentType: stream,
      }),
    ).toEqual(['event 0 (tool_result).ok = "yes", the app reads boolean']);
    expect(
      problems(voice, { status: 200, body: [{ type: 'progress' }, events[2]], contentType: stream }),
    ).toEqual(['event 0 has type "progress", the app knows none such']);

    const status = call('service.enable');
    expect(problems(status, { status: 200, body: { enabled: true } })).toEqual([]);
    expect(problems(status, { status: 404, body: { detail: 'no route' } })).toHaveLength(1);
  });

  it('documents every served call in OpenAPI on /api/v1 and /api/v2: method, path, the status the app accepts, multipart bodies', async () => {
    type Op = { responses: Record<string, unknown>; requestBody?: { content?: Record<string, unknown> } };
    const spec = (await t.http().get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, Op>>;
    };
    // Path parameters are named differently on the two sides (:clientId, {client_id}): compare the shape.
    const shape = (path: string) => path.replace(/:\w+|\{\w+\}/g, '{}');
    const operations = new Map<string, Op>();
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations.set(`${method.toUpperCase()} ${shape(path)}`, op);
      }
    }
    const missing: string[] = [];
    let checked = 0;
    for (const call of APP_CALLS.filter((c) => c.base === 'api')) {
      for (const version of [1, 2]) {
        checked += 1;
        const key = `${call.method} ${shape(`/api/v${version}${call.path}`)}`;
        const op = operations.get(key);
        if (!op) {
          missing.push(`${key} [${call.id}] is not documented`);
          continue;
        }
        const documented = Object.keys(op.responses).filter((code) => code.startsWith('2'));
        const accepted = (code: string) =>
          call.success === '2xx' ? code.startsWith('2') : call.success.includes(Number(code));
        if (documented.length === 0 || !documented.every(accepted)) {
          missing.push(
            `${key} [${call.id}] documents ${documented.join(', ')}, the app accepts ${String(call.success)}`,
          );
        }
        if (call.body.kind === 'multipart' && !op.requestBody?.content?.['multipart/form-data']) {
          missing.push(`${key} [${call.id}] does not document its multipart/form-data body`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(68); // 34 calls under /api, each on v1 and v2
  });

  for (const [line, lineInfo] of Object.entries(APP_LINES) as [AppLine, (typeof APP_LINES)[AppLine]][]) {
    for (const version of [1, 2] as const) {
      it(`${line} ${lineInfo.appVersion} on /api/v${version}: every served call answers what the app reads`, async () => {
        const base = `${t.baseUrl}${lineInfo.basePath}`;
        const replay = replayer(t.baseUrl, line, version);
        const { send, failures, replayed } = replay;
        const state: Record<string, string> = {};
        const jsonHeader: Record<string, string> =
          line === 'desktop-app' ? { 'Content-Type': 'application/json' } : {};

        // Launch: the version gate, then sign-up, sign-in and the start-up refresh.
        const gate = body<{ version: string }>(await send('updater.versionGate'));
        expect(Number(/^(\d+)/.exec(gate.version)?.[1])).toBe(lineInfo.major);
        const email = `${line}-v${version}-${Date.now()}@example.com`;
        const password = 'correct horse battery';
        await send('auth.register', { json: { email, password } });
        const login = body<{ access_token: string; refresh_token: string }>(
          await send('auth.login', { json: { email, password } }),
        );
        const refreshed = body<{ access_token: string }>(
          await send('auth.refresh', { json: { refresh_token: login.refresh_token } }),
        );
        replay.token = refreshed.access_token;
        if (replay.calls.has('auth.me')) await send('auth.me');

        // Devices: desktop-app registers its name (409 when taken), dadei's module lets the server name it.
        if (line === 'desktop-app') {
          const device = {
            client_id: 'desktop-client',
            metadata: { local_ip: '127.0.0.1', external_ip: '10.1.2.3' },
          };
          await send('service.registerClient', { json: device });
          const again = await fetch(`${base}/api/v${version}/service/clients`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${replay.token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify(device),
          });
          expect(again.status).toBe(409);
          state.client = 'desktop-client';
        } else {
          state.client = body<{ client_id: string }>(
            await send('service.registerClient', { json: { metadata: { local_ip: '127.0.0.1' } } }),
          ).client_id;
          expect(state.client).toBe('client1');
        }
        expect(body<string[]>(await send('service.listClients'))).toContain(state.client);
        if (replay.calls.has('service.renameClient')) {
          const renamed = body<{ client_id: string }>(
            await send('service.renameClient', {
              params: { clientId: state.client },
              json: { new_client_id: "Ada's desktop" },
              headers: jsonHeader,
            }),
          );
          state.client = renamed.client_id;
        }
        await send('service.enable', { headers: jsonHeader });
        await send('service.disable', { headers: jsonHeader });
        await send('service.enable', { headers: jsonHeader });

        // A segment as the app uploads it (dadei adds its timing fields).
        const form = new FormData();
        form.append('audio', new Blob([new Uint8Array(segment)], { type: 'audio/wav' }), 'audio.wav');
        form.append('client_id', state.client!);
        if (line === 'dadei') {
          const end = Date.now();
          form.append('session_token', 'not-yet-issued');
          form.append('chunk_start_ms', String(end - 2500));
          form.append('chunk_end_ms', String(end));
        }
        await send('interactions.register', { form });

        // Data for the reads: made through the network door (what the pipeline would make from speech).
        const networkId = (
          await t
            .http()
            .get('/api/v1/networks')
            .set({ Authorization: `Bearer ${replay.token}` })
        ).body[0].id as string;
        const auth = { Authorization: `Bearer ${replay.token}` };
        const person = (await t.http().post(`/api/v1/${networkId}/persons`).set(auth).send({}).expect(201))
          .body.id;
        const conversations: string[] = [];
        for (const title of ['Breakfast', 'Walk']) {
          const conversation = (
            await t
              .http()
              .post(`/api/v1/${networkId}/conversations`)
              .set(auth)
              .send({ title, participants: [person] })
              .expect(201)
          ).body.id as string;
          conversations.push(conversation);
          await t
            .http()
            .post(`/api/v1/${networkId}/interactions`)
            .set(auth)
            .send({
              interaction_type: 'text',
              content: `About the ${title}`,
              person_id: person,
              conversation_id: conversation,
            })
            .expect(201);
        }
        const orphan = (
          await t
            .http()
            .post(`/api/v1/${networkId}/interactions`)
            .set(auth)
            .send({ interaction_type: 'text', content: 'Remind me to call the plumber tomorrow' })
            .expect(201)
        ).body.id as string;
        await t.http().post(`/api/v1/${networkId}/interactions/${orphan}/inference`).set(auth).expect(201);

        // The panels' reads.
        const interactions = body<Array<{ id: string; conversation_id: string | null }>>(
          await send('interactions.getAll', { query: { limit: '50', offset: '0' } }),
        );
        if (replay.calls.has('interactions.bootstrapForConversations')) {
          const recent = body<Array<{ id: string }>>(
            await send('conversations.getRecent', { query: { limit: '10', offset: '0' } }),
          );
          expect(recent.map((c) => c.id)).toEqual([...conversations].reverse());
          const scoped = body<unknown[]>(
            await send('interactions.bootstrapForConversations', {
              query: { limit: '500', offset: '0', conversation_ids: recent.map((c) => c.id) },
            }),
          );
          // the seeded interactions (the uploaded segment may join a conversation too, once processed)
          const seededIds = interactions.filter((i) => conversations.includes(i.conversation_id ?? ''));
          expect(seededIds.length).toBeGreaterThanOrEqual(2);
          expect(scoped).toEqual(
            expect.arrayContaining(seededIds.map((i) => expect.objectContaining({ id: i.id }))),
          );
          await send('interactions.bootstrapOrphans', {
            query: { limit: '500', offset: '0', orphans_only: 'true' },
          });
        } else {
          await send('conversations.getAll.desktop');
        }
        await send('interactions.getById', { params: { interactionId: orphan } });
        await send('conversations.getById', { params: { conversationId: conversations[0]! } });
        await send('persons.getAll');
        await send('persons.getById', { params: { personId: person } });
        const rename = new FormData();
        rename.append('name', 'Ada');
        expect(
          body<{ name: string }>(
            await send('persons.update.rename', { params: { personId: person }, form: rename }),
          ).name,
        ).toBe('Ada');
        const enrol = new FormData();
        enrol.append('audio', new Blob([new Uint8Array(readFileSync(enrolmentSpeech!))]), 'sample.flac');
        enrol.append('expected_text', 'what was read');
        await send('persons.update.enrol', { params: { personId: person }, form: enrol });
        // A wake-word segment (real speech) as a voice command, then the memory it stored, in the shell's list.
        if (replay.calls.has('command.streamCommand')) {
          const spoken = new FormData();
          spoken.append('audio', new Blob([new Uint8Array(segment)], { type: 'audio/wav' }), 'audio.wav');
          spoken.append('client_id', state.client!);
          const events = body<Array<Record<string, unknown>>>(
            await send('command.streamCommand', { form: spoken }),
          );
          expect(events).toEqual(
            expect.arrayContaining([
              { type: 'transcript', text: HEARD },
              expect.objectContaining({ type: 'tool_result', tool: 'store_memory', ok: true }),
            ]),
          );
          const memories = body<Array<{ canonical_text: string }>>(
            await send('memories.list', { query: { limit: '100' } }),
          );
          expect(memories.map((m) => m.canonical_text)).toContain(REMEMBERED);
        }
        if (replay.calls.has('actions.list')) {
          const actions = body<Array<{ id: string }>>(
            await send('actions.list', { query: { limit: '100', offset: '0' } }),
          );
          await send('actions.updateStatus', {
            params: { actionId: actions[0]!.id },
            json: { status: 'dismissed' },
          });
        }

        // Deletes, as the panels make them (a conversation's interactions deleted after it: still 2xx).
        const inFirst = interactions.find((i) => i.conversation_id === conversations[0])!;
        await send('conversations.delete', { params: { conversationId: conversations[0]! } });
        await send('interactions.delete', { params: { interactionId: inFirst.id } });
        await send('interactions.delete', { params: { interactionId: orphan } });
        await send('interactions.delete', { params: { interactionId: orphan } });
        await send('persons.delete', { params: { personId: person } });
        await send('service.deregisterClient', { params: { clientId: state.client! } });
        await send('service.deregisterClient', { params: { clientId: state.client! } });
        await send('service.disable', { headers: jsonHeader });

        // Settings: dadei deletes the account last; its tokens stop working with it.
        if (replay.calls.has('auth.deleteMe')) {
          await send('auth.deleteMe');
          const after = await fetch(`${base}/api/v${version}/auth/me`, {
            headers: { Authorization: `Bearer ${replay.token}` },
          });
          expect(after.status).toBe(401);
        }

        expect(failures).toEqual([]);
        const expected = APP_CALLS.filter((c) => c.apps.includes(line) && !c.viaProvider).map((c) => c.id);
        expect([...replayed].sort()).toEqual(expected.sort());
      }, 180_000);
    }
  }
});
