import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, parseConfig } from './config.schema.js';

/** Voiceprints encrypted at rest with a key from config; identification, transcription and grouping settings validated at boot. */
describe('speech configuration (voiceprints, identification, transcription, conversations)', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'mira-rec-config-'));

  it('generates a development voiceprint key once and keeps it in the data directory', () => {
    const dir = dataDir();
    const first = parseConfig({ DATA_DIR: dir }, '0');
    const second = parseConfig({ DATA_DIR: dir }, '0');
    expect(first.voiceprints.key).toHaveLength(32);
    expect(first.voiceprints.keySource).toBe('generated');
    expect(second.voiceprints.key.equals(first.voiceprints.key)).toBe(true);
    expect(Buffer.from(readFileSync(join(dir, '.voiceprint-key'), 'utf8'), 'base64')).toEqual(
      first.voiceprints.key,
    );
  });

  it('takes VOICEPRINT_KEY from the environment, refuses a wrong length, and requires it in production', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(parseConfig({ DATA_DIR: dataDir(), VOICEPRINT_KEY: key }, '0').voiceprints.keySource).toBe('env');
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
    expect(ok.speakerIdentification.matchThreshold).toBe(0.8);
    expect(ok.voiceprints.enrolmentMinSpeechSeconds).toBe(2);
    expect(ok.conversations.gapSeconds).toBe(300);
    expect(ok.conversations.speakerChangeGapSeconds).toBe(150);
  });
});
