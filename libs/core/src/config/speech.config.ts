import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigContext, EnvReader } from './env-reader.js';

/** Voiceprints at rest and the enrolment gate. */
export interface VoiceprintConfig {
  /** AES-256-GCM key for voiceprints at rest (VOICEPRINT_KEY, 32 bytes base64). */
  key: Buffer;
  keySource: 'env' | 'generated';
  /** Minimum VAD speech in an enrolment sample (ENROLMENT_MIN_SPEECH_SECONDS). */
  enrolmentMinSpeechSeconds: number;
}

/**
 * Deployment-wide overrides of the speaker-identification policy's per-model defaults (SPEAKER_*); networks may
 * override again. Threshold and margin are on the cosine scale; seconds and counts apply on every scale.
 */
export interface SpeakerIdentificationConfig {
  matchThreshold?: number;
  matchMargin?: number;
  minMatchSpeechSeconds?: number;
  newPersonMinSpeechSeconds?: number;
  autoSamplesMax?: number;
}

/** Which engine turns speech into text. */
export interface TranscriptionConfig {
  /** auto = Gemini with a key, else PocketSphinx when installed, else none. */
  engine: 'auto' | 'gemini' | 'pocketsphinx' | 'none';
  /** The PocketSphinx command (Debian package `pocketsphinx`). */
  pocketsphinxCommand: string;
  pocketsphinxTimeoutMs: number;
  /** The PATH the offline engines are looked up in. */
  searchPath: string;
}

/** Conversation grouping defaults (networks may override): silence gap, and shorter gap with a speaker change. */
export interface ConversationConfig {
  gapSeconds: number;
  speakerChangeGapSeconds: number;
}

/** What happens to speech once it is heard: who said it, what was said, which conversation it belongs to. */
export interface SpeechConfigValues {
  voiceprints: VoiceprintConfig;
  speakerIdentification: SpeakerIdentificationConfig;
  transcription: TranscriptionConfig;
  conversations: ConversationConfig;
}

export function parseSpeechConfig(env: EnvReader, ctx: ConfigContext): SpeechConfigValues {
  const { str, oneOf, optionalNum: num, problems } = env;

  let voiceprintKey: Buffer;
  let voiceprintKeySource: 'env' | 'generated' = 'env';
  const rawKey = str('VOICEPRINT_KEY');
  if (rawKey !== undefined) {
    voiceprintKey = Buffer.from(rawKey, 'base64');
    if (voiceprintKey.length !== 32) {
      problems.push('VOICEPRINT_KEY must be 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`)');
    }
  } else {
    if (ctx.isProduction) problems.push('VOICEPRINT_KEY is required when NODE_ENV=production');
    voiceprintKey = loadOrCreateDevKey(ctx.dataDir);
    voiceprintKeySource = 'generated';
  }

  const transcriber = oneOf<TranscriptionConfig['engine']>(
    'TRANSCRIBER',
    ['auto', 'gemini', 'pocketsphinx', 'none'],
    'auto',
  );

  const gap = num('CONVERSATION_GAP_SECONDS', 1, 86_400) ?? 300;
  const shortGap = num('CONVERSATION_SPEAKER_CHANGE_GAP_SECONDS', 1, 86_400) ?? 150;
  if (shortGap > gap) {
    problems.push('CONVERSATION_SPEAKER_CHANGE_GAP_SECONDS must not exceed CONVERSATION_GAP_SECONDS');
  }
  const autoSamples = num('SPEAKER_AUTO_SAMPLES_MAX', 0, 100);
  if (autoSamples !== undefined && !Number.isInteger(autoSamples)) {
    problems.push('SPEAKER_AUTO_SAMPLES_MAX must be an integer');
  }

  return {
    voiceprints: {
      key: voiceprintKey,
      keySource: voiceprintKeySource,
      enrolmentMinSpeechSeconds: num('ENROLMENT_MIN_SPEECH_SECONDS', 0.2, 60) ?? 1.5,
    },
    speakerIdentification: {
      matchThreshold: num('SPEAKER_MATCH_THRESHOLD', -1, 1),
      matchMargin: num('SPEAKER_MATCH_MARGIN', 0, 2),
      minMatchSpeechSeconds: num('SPEAKER_MIN_MATCH_SPEECH_SECONDS', 0, 60),
      newPersonMinSpeechSeconds: num('SPEAKER_NEW_PERSON_MIN_SPEECH_SECONDS', 0, 60),
      autoSamplesMax: autoSamples,
    },
    transcription: {
      engine: transcriber,
      pocketsphinxCommand: str('POCKETSPHINX_COMMAND') ?? 'pocketsphinx_continuous',
      pocketsphinxTimeoutMs: num('POCKETSPHINX_TIMEOUT_MS', 1000, 600_000) ?? 120_000,
      searchPath: str('PATH') ?? '/usr/local/bin:/usr/bin:/bin',
    },
    conversations: { gapSeconds: gap, speakerChangeGapSeconds: shortGap },
  };
}

/** Zero-configuration development: a random key kept in the data directory, like the JWT secret. */
function loadOrCreateDevKey(dataDir: string): Buffer {
  const file = join(dataDir, '.voiceprint-key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
  }
  const key = randomBytes(32);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}
