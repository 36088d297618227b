import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig, AppLogger, encodeWav16 } from '@mira/core';
import { GeminiClient, GeminiError } from './gemini.client.js';

export type TranscriptionEngine = 'gemini' | 'pocketsphinx' | 'none';

export type TranscriptionResult =
  | { status: 'transcribed'; text: string; engine: Exclude<TranscriptionEngine, 'none'> }
  | { status: 'untranscribed'; engine: 'none'; reason: string };

/** Thrown when the engine is expected to work later (timeout, 429, 5xx): the caller retries the job. */
export class TranscriptionUnavailableError extends Error {
  constructor(
    readonly engine: TranscriptionEngine,
    message: string,
  ) {
    super(message);
    this.name = 'TranscriptionUnavailableError';
  }
}

const TRANSCRIBE_PROMPT =
  'Transcribe the speech in this audio verbatim, in the language spoken. Output only the transcript text, ' +
  'without quotes, labels, timestamps or commentary. If there is no intelligible speech, output nothing.';

const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/**
 * Audio in, text out. Gemini when GEMINI_API_KEY is configured; offline, CMU PocketSphinx (Debian `pocketsphinx`
 * + `pocketsphinx-en-us`, weak: ~37% WER on clean read speech) when installed; otherwise nothing, and the
 * interaction is stored as `untranscribed`: this port never invents text.
 */
@Injectable()
export class Transcriber {
  readonly primary: TranscriptionEngine;
  readonly offline: Exclude<TranscriptionEngine, 'gemini'>;
  private readonly pocketsphinxPath?: string;

  constructor(
    private readonly config: AppConfig,
    private readonly gemini: GeminiClient,
    private readonly logger: AppLogger,
  ) {
    const settings = config.values.transcription;
    this.pocketsphinxPath = findPocketsphinx(settings.pocketsphinxCommand, settings.searchPath);
    this.offline = this.pocketsphinxPath && settings.engine !== 'none' ? 'pocketsphinx' : 'none';
    if (settings.engine === 'none') this.primary = 'none';
    else if (settings.engine === 'pocketsphinx') this.primary = this.offline;
    else if (settings.engine === 'gemini' || gemini.configured)
      this.primary = gemini.configured ? 'gemini' : this.offline;
    else this.primary = this.offline;
  }

  /**
   * Transcribes with the primary engine. `finalAttempt` makes a retryable Gemini failure fall back to the
   * offline engine instead of throwing, so the last retry of a job always ends with a clear status.
   */
  async transcribe(
    samples: Float32Array,
    sampleRate: number,
    options: { finalAttempt?: boolean } = {},
  ): Promise<TranscriptionResult> {
    if (this.primary === 'gemini') {
      try {
        return { status: 'transcribed', engine: 'gemini', text: await this.viaGemini(samples, sampleRate) };
      } catch (err) {
        const retryable = err instanceof GeminiError ? err.retryable : true;
        this.logger.warn('transcription_gemini_failed', {
          kind: err instanceof GeminiError ? err.kind : 'unknown',
          final_attempt: options.finalAttempt ?? false,
        });
        if (retryable && !options.finalAttempt) {
          throw new TranscriptionUnavailableError('gemini', err instanceof Error ? err.message : String(err));
        }
        return this.transcribeOffline(samples, sampleRate, 'gemini_failed');
      }
    }
    return this.transcribeOffline(samples, sampleRate, 'no_engine_configured');
  }

  private async transcribeOffline(
    samples: Float32Array,
    sampleRate: number,
    reasonIfNone: string,
  ): Promise<TranscriptionResult> {
    if (this.offline === 'pocketsphinx' && this.pocketsphinxPath) {
      const text = await this.viaPocketsphinx(this.pocketsphinxPath, samples, sampleRate);
      return { status: 'transcribed', engine: 'pocketsphinx', text };
    }
    return { status: 'untranscribed', engine: 'none', reason: reasonIfNone };
  }

  private async viaGemini(samples: Float32Array, sampleRate: number): Promise<string> {
    const wav = encodeWav16(samples, sampleRate);
    const text = await this.gemini.generate({
      parts: [
        { text: TRANSCRIBE_PROMPT },
        { inlineData: { mimeType: 'audio/wav', data: wav.toString('base64') } },
      ],
      temperature: 0,
    });
    return text.trim();
  }

  private async viaPocketsphinx(command: string, samples: Float32Array, sampleRate: number): Promise<string> {
    if (sampleRate !== 16_000) throw new Error('PocketSphinx needs 16 kHz audio');
    // PocketSphinx reads a file; the audio lives there only for the duration of the call (mode 0600).
    const dir = await mkdtemp(join(tmpdir(), 'mira-asr-'));
    const file = join(dir, 'utterance.wav');
    try {
      await writeFile(file, encodeWav16(samples, sampleRate), { mode: 0o600 });
      return await this.runPocketsphinx(command, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private runPocketsphinx(command: string, file: string): Promise<string> {
    const timeoutMs = this.config.values.transcription.pocketsphinxTimeoutMs;
    return new Promise((resolve, reject) => {
      const child = spawn(command, ['-infile', file, '-logfn', '/dev/null'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const out: Buffer[] = [];
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new TranscriptionUnavailableError('pocketsphinx', `PocketSphinx timed out after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new TranscriptionUnavailableError('pocketsphinx', err.message));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) {
          reject(new TranscriptionUnavailableError('pocketsphinx', `PocketSphinx exited with ${code}`));
          return;
        }
        const lines = Buffer.concat(out)
          .toString('utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.length > 0);
        resolve(lines.join(' '));
      });
    });
  }
}

/** The PocketSphinx binary on PATH (or the absolute path given), if it and its English model are installed. */
function findPocketsphinx(command: string, searchPath: string): string | undefined {
  if (!existsSync(POCKETSPHINX_MODEL_DIR)) return undefined;
  const candidates = isAbsolute(command)
    ? [command]
    : searchPath.split(delimiter).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
