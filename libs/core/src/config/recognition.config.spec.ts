import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, parseConfig } from './config.schema.js';

/** Voiceprints encrypted at rest with a key from config; recognition settings validated at boot. */
describe('recognition configuration', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'mira-rec-config-'));

  it('generates a development voiceprint key once and keeps it in the data directory', () => {
    const dir = dataDir();
    const first = parseConfig({ DATA_DIR: dir }, '0');
    const second = parseConfig({ DATA_DIR: dir }, '0');
    expect(first.recognition.voiceprintKey).toHaveLength(32);
    expect(first.recognition.voiceprintKeySource).toBe('generated');
    expect(second.recognition.voiceprintKey.equals(first.recognition.voiceprintKey)).toBe(true);
    expect(Buffer.from(readFileSync(join(dir, '.voiceprint-key'), 'utf8'), 'base64')).toEqual(
      first.recognition.voiceprintKey,
    );
  });

  it('takes VOICEPRINT_KEY from the environment, refuses a wrong length, and requires it in production', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(
      parseConfig({ DATA_DIR: dataDir(), VOICEPRINT_KEY: key }, '0').recognition.voiceprintKeySource,
    ).toBe('env');
    expect(() => parseConfig({ DATA_DIR: dataDir(), VOICEPRINT_KEY: 'c2hvcnQ=' }, '0')).toThrow(
      /VOICEPRINT_KEY/,
    );
    try {
      parseConfig(
        {
          DATA_DIR: dataDir(),
          NODE_ENV: 'production',
          DATABASE_URL: 'postgres://x/y',
          JWT_SECRET: 'x'.repeat(40),
        },
        '0',
      );
      throw new Error('expected a configuration error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      expect((err as ConfigValidationError).problems).toContain(
        'VOICEPRINT_KEY is required when NODE_ENV=production',
      );
    }
  });

  it('validates the engine choice, the speaker overrides and the conversation gaps', () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig({ DATA_DIR: dataDir(), ...env }, '0');
        return [];
      } catch (err) {
        return (err as ConfigValidationError).problems;
      }
    };
    expect(problems({ TRANSCRIBER: 'whisper' })[0]).toMatch(
      /TRANSCRIBER must be one of auto, gemini, pocketsphinx, none/,
    );
    expect(problems({ SPEAKER_MATCH_THRESHOLD: '2' })[0]).toMatch(/SPEAKER_MATCH_THRESHOLD/);
    expect(
      problems({ CONVERSATION_GAP_SECONDS: '100', CONVERSATION_SPEAKER_CHANGE_GAP_SECONDS: '200' })[0],
    ).toMatch(/must not exceed/);
    const ok = parseConfig(
      { DATA_DIR: dataDir(), SPEAKER_MATCH_THRESHOLD: '0.8', ENROLMENT_MIN_SPEECH_SECONDS: '2' },
      '0',
    );
    expect(ok.recognition.speaker.matchThreshold).toBe(0.8);
    expect(ok.recognition.enrolmentMinSpeechSeconds).toBe(2);
    expect(ok.recognition.conversationGapSeconds).toBe(300);
    expect(ok.recognition.conversationSpeakerChangeGapSeconds).toBe(150);
  });
});
