import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, AppLogger } from '@mira/core';
import {
  FakeGemini,
  geminiJson,
  geminiMalformedBody,
  geminiStatus,
  geminiText,
} from '../../../test/support/fake-gemini.js';
import { ActionExtractor } from './action-extractor.js';
import { GeminiClient, GeminiError } from './gemini.client.js';
import { Summarizer } from './summarizer.js';
import { Transcriber, TranscriptionUnavailableError } from './transcriber.js';

/** Language-model ports — the real @google/genai SDK against a local server speaking Gemini's REST API. */
describe('assistant ports against a fake Gemini at the wire', () => {
  let fake: FakeGemini;
  const logger = new AppLogger('error', true);
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-assistant-'));
  const config = (extra: Record<string, string> = {}) =>
    AppConfig.fromEnvironment({}, { NODE_ENV: 'test', DATA_DIR: dataDir, ...fake.env(), ...extra });
  const tone = new Float32Array(16_000).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 220 * i) / 16_000));
  const now = new Date('2026-11-22T10:00:00Z');

  beforeAll(async () => {
    fake = await FakeGemini.start();
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  it('transcribes through the SDK: audio goes out as inline WAV, the key and model reach the server', async () => {
    fake.next(geminiText('  remind me to call mom tomorrow \n'));
    const transcriber = new Transcriber(config({ TRANSCRIBER: 'auto' }), new GeminiClient(config()), logger);
    expect(transcriber.primary).toBe('gemini');
    const result = await transcriber.transcribe(tone, 16_000);
    expect(result).toEqual({
      status: 'transcribed',
      engine: 'gemini',
      text: 'remind me to call mom tomorrow',
    });
    const sent = fake.requests[0]!;
    expect(sent.apiKey).toBe('fake-key-for-tests');
    expect(sent.model).toBe('gemini-2.5-flash');
    const audio = sent.body.contents?.[0]?.parts?.find((p) => p.inlineData)?.inlineData;
    expect(audio?.mimeType).toBe('audio/wav');
    expect(Buffer.from(audio!.data, 'base64').subarray(0, 4).toString('ascii')).toBe('RIFF');
  });

  it.each([
    ['a 429 rate limit', geminiStatus(429), 'rate_limited'],
    ['a 500 server error', geminiStatus(500), 'server'],
    ['a body that is not JSON', geminiMalformedBody(), 'malformed'],
  ])('classifies %s as retryable and the transcriber asks for a retry', async (_label, reply, kind) => {
    fake.next(reply);
    const client = new GeminiClient(config());
    await expect(client.generate({ parts: [{ text: 'x' }] })).rejects.toMatchObject({
      kind,
      retryable: true,
    });
    fake.next(reply);
    const transcriber = new Transcriber(config({ TRANSCRIBER: 'gemini' }), client, logger);
    await expect(transcriber.transcribe(tone, 16_000)).rejects.toBeInstanceOf(TranscriptionUnavailableError);
  });

  it('gives up on an answer slower than GEMINI_TIMEOUT_MS with a retryable timeout', async () => {
    fake.next(geminiText('too late', 5_000));
    const client = new GeminiClient(config({ GEMINI_TIMEOUT_MS: '300' }));
    const error = await client.generate({ parts: [{ text: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeminiError);
    expect((error as GeminiError).kind).toBe('timeout');
  });

  it('on the final attempt a failing Gemini falls back to the offline engine, never to invented text', async () => {
    fake.next(geminiStatus(500));
    const transcriber = new Transcriber(
      config({ TRANSCRIBER: 'gemini', POCKETSPHINX_COMMAND: '/nonexistent/pocketsphinx' }),
      new GeminiClient(config()),
      logger,
    );
    expect(await transcriber.transcribe(tone, 16_000, { finalAttempt: true })).toEqual({
      status: 'untranscribed',
      engine: 'none',
      reason: 'gemini_failed',
    });
  });

  it('without a key and without PocketSphinx the transcriber says untranscribed and calls nobody', async () => {
    const offline = AppConfig.fromEnvironment(
      {},
      { NODE_ENV: 'test', DATA_DIR: dataDir, POCKETSPHINX_COMMAND: '/nonexistent/pocketsphinx' },
    );
    const transcriber = new Transcriber(offline, new GeminiClient(offline), logger);
    expect(transcriber.primary).toBe('none');
    expect((await transcriber.transcribe(tone, 16_000)).status).toBe('untranscribed');
    expect(fake.requests).toHaveLength(0);
  });

  it('extracts actions with structured output: the action schema goes out, a conforming answer comes back', async () => {
    fake.next(
      geminiJson({
        call_to_action: true,
        action_type: 'remind',
        remind: { time: '2026-11-23T15:00:00', description: 'call John' },
      }),
    );
    const extractor = new ActionExtractor(new GeminiClient(config()), logger);
    const result = await extractor.extract({
      text: 'Remind me to call John tomorrow at 3pm',
      speaker: 'Person 1',
      context: ['Person 2: did you call John?'],
      now,
    });
    expect(result).toEqual({
      source: 'gemini',
      extraction: {
        call_to_action: true,
        action_type: 'remind',
        remind: { time: '2026-11-23T15:00:00', description: 'call John' },
      },
    });
    const generation = fake.requests[0]!.body.generationConfig!;
    expect(generation.responseMimeType).toBe('application/json');
    expect(JSON.stringify(generation.responseJsonSchema)).toContain('call_to_action');
  });

  it('treats JSON that breaks the schema as malformed: retry first, rules on the final attempt', async () => {
    const bad = geminiJson({ call_to_action: true, action_type: 'remind', contact: { name: 'x' } });
    const extractor = new ActionExtractor(new GeminiClient(config()), logger);
    const input = { text: 'Remind me to water the plants tonight', speaker: 'Person 1', context: [], now };
    fake.next(bad);
    await expect(extractor.extract(input)).rejects.toMatchObject({ kind: 'malformed' });
    fake.next(geminiText('this is not json'));
    const result = await extractor.extract(input, { finalAttempt: true });
    expect(result.source).toBe('rules');
    expect(result.note).toMatch(/malformed/);
    expect(result.extraction).toEqual({
      call_to_action: true,
      action_type: 'remind',
      remind: { time: '2026-11-22T19:00:00', description: 'water the plants' },
    });
  });

  it('summarises a closed conversation with Gemini, or extractively (labelled) after failures', async () => {
    const summarizer = new Summarizer(new GeminiClient(config()), logger);
    const lines = [
      { speaker: 'Person 1', text: 'Shall we plan the garden party for Saturday?' },
      { speaker: 'Anna', text: 'Yes, the garden party needs chairs and a grill.' },
    ];
    fake.next(geminiJson({ topic_summary: 'Garden party plans', context_summary: 'They plan a party.' }));
    expect(await summarizer.summarize(lines)).toEqual({
      topic_summary: 'Garden party plans',
      context_summary: 'They plan a party.',
      kind: 'llm',
    });
    fake.next(geminiStatus(429));
    await expect(summarizer.summarize(lines)).rejects.toMatchObject({ kind: 'rate_limited' });
    fake.next(geminiStatus(503));
    const fallback = await summarizer.summarize(lines, { finalAttempt: true });
    expect(fallback.kind).toBe('extractive');
    expect(fallback.topic_summary).toContain('garden');
  });
});
