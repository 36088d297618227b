import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, AppLogger } from '@mira/core';
import { parseActionExtraction } from './action-schema.js';
import { GeminiClient } from './gemini.client.js';
import { extractActionsByRules } from './rule-based-extractor.js';
import { extractiveSummary } from './summarizer.js';
import { Transcriber } from './transcriber.js';

const now = new Date('2026-11-22T10:00:00Z'); // a Sunday

/** Offline inference — what runs without Gemini, and that it says so. */
describe('offline rule-based action extractor', () => {
  it.each([
    [
      'Remind me to call John tomorrow at 3pm',
      { action_type: 'remind', remind: { time: '2026-11-23T15:00:00', description: 'call John' } },
    ],
    [
      'remind me to take the pizza out in 20 minutes.',
      { action_type: 'remind', remind: { time: '2026-11-22T10:20:00', description: 'take the pizza out' } },
    ],
    [
      'Mira, remind me to call mom',
      { action_type: 'remind', remind: { time: '2026-11-22T11:00:00', description: 'call mom' } },
    ],
    [
      'Schedule dinner with Sarah on Friday at 7pm',
      {
        action_type: 'schedule',
        schedule: {
          start_time: '2026-11-27T19:00:00',
          end_time: '2026-11-27T20:00:00',
          name: 'dinner with Sarah',
        },
      },
    ],
    [
      'Text my brother that I am running late',
      {
        action_type: 'contact',
        contact: { name: 'brother', method: 'message', details: 'I am running late' },
      },
    ],
    [
      'email Anna that the invoice is paid',
      { action_type: 'contact', contact: { name: 'Anna', method: 'email', details: 'the invoice is paid' } },
    ],
  ])('%s', (text, expected) => {
    const result = extractActionsByRules(text, now);
    expect(result).toEqual({ call_to_action: true, ...expected });
    expect(parseActionExtraction(result)).toEqual(result);
  });

  it.each(['The planet is better in context', 'We talked about the weather', '', 'schedule'])(
    'finds no call to action in %j (no substring false positives)',
    (text) => {
      expect(extractActionsByRules(text, now)).toEqual({ call_to_action: false });
    },
  );
});

describe('action schema validation (ACTION_JSON_SCHEMA)', () => {
  it('rejects answers that break the conditionals', () => {
    expect(parseActionExtraction({ call_to_action: false, action_type: 'remind' })).toBeNull();
    expect(parseActionExtraction({ call_to_action: true })).toBeNull();
    expect(
      parseActionExtraction({
        call_to_action: true,
        action_type: 'contact',
        contact: { name: 'a', method: 'fax', details: '' },
      }),
    ).toBeNull();
    expect(
      parseActionExtraction({
        call_to_action: true,
        action_type: 'remind',
        remind: { time: '', description: '', extra: 'x' },
      }),
    ).toBeNull();
    expect(parseActionExtraction([])).toBeNull();
    expect(parseActionExtraction({ call_to_action: false })).toEqual({ call_to_action: false });
  });
});

describe('extractive summary (offline, labelled)', () => {
  it('takes the frequent content words as topic and representative lines as context', () => {
    const summary = extractiveSummary([
      { speaker: 'Person 1', text: 'The boiler is broken again.' },
      { speaker: 'Person 2', text: 'I will call the boiler repair service tomorrow.' },
      { speaker: 'Person 1', text: 'Thanks.' },
    ]);
    expect(summary.kind).toBe('extractive');
    expect(summary.topic_summary.split(', ')[0]).toBe('boiler');
    expect(summary.context_summary).toContain('Person 2: I will call the boiler repair service tomorrow.');
  });

  it('says so when nothing was transcribed', () => {
    expect(extractiveSummary([{ speaker: 'Person 1', text: '' }])).toEqual({
      topic_summary: 'Untranscribed conversation',
      context_summary: '',
      kind: 'extractive',
    });
  });
});

const sphinxInstalled =
  existsSync('/usr/bin/pocketsphinx_continuous') &&
  existsSync('/usr/share/pocketsphinx/test/data/goforward.raw');

describe('PocketSphinx offline transcription (Debian pocketsphinx + pocketsphinx-en-us)', () => {
  (sphinxInstalled ? it : it.skip)(
    'transcribes a real 16 kHz recording with the installed engine',
    async () => {
      const config = AppConfig.fromEnvironment(
        {},
        { NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'mira-sphinx-')), TRANSCRIBER: 'auto' },
      );
      const transcriber = new Transcriber(config, new GeminiClient(config), new AppLogger('error', true));
      expect(transcriber.primary).toBe('pocketsphinx');
      const raw = readFileSync('/usr/share/pocketsphinx/test/data/goforward.raw');
      const samples = new Float32Array(raw.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = raw.readInt16LE(i * 2) / 32768;
      const result = await transcriber.transcribe(samples, 16_000);
      expect(result.status).toBe('transcribed');
      expect(result.status === 'transcribed' && result.text).toMatch(/forward/);
    },
  );
});
