import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioPipeline, concatSamples, openRecordingDecoder } from '@mira/audio';
import { parseConfig } from '@mira/core';
import { ensureFfmpeg } from '../../tooling/ffmpeg.js';
import { fillModelDirFromMirror } from '../../tooling/shared-data.js';

let modelDir: string | undefined;

/** A MODEL_DIR filled the way production fills it (tooling/shared-data.ts), once per test worker process. */
export async function prepareTestModelDir(): Promise<string> {
  modelDir ??= await fillModelDirFromMirror(join(process.cwd(), '.tmp', 'test-models'));
  return modelDir;
}

/** Environment overrides for startTestApp so the app runs the real GTCRN model. */
export async function audioTestEnv(): Promise<Record<string, string>> {
  return { MODEL_DIR: await prepareTestModelDir() };
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}

/**
 * A speech file (LibriSpeech FLAC, or any format Mira reads) as 16 kHz mono, through the product's streamed recording
 * decoder: no models and no decoding thread needed.
 */
export async function decodeSpeechFile(path: string): Promise<Float32Array> {
  const decoder = openRecordingDecoder({ maxSeconds: 3600 });
  try {
    const blocks = await decoder.push(readFileSync(path));
    blocks.push(...(await decoder.end()).blocks);
    return concatSamples(blocks);
  } finally {
    decoder.close();
  }
}

/**
 * Encodes a WAV buffer with ffmpeg into another container (made at test time, never committed).
 * `args` are the output codec options (and any further inputs), `ext` the output container extension, `inputArgs`
 * options for the WAV input (e.g. `-itsoffset`).
 */
export function transcode(wav: Buffer, ext: string, args: string[], inputArgs: string[] = []): Buffer {
  ensureFfmpeg();
  const dir = mkdtempSync(join(tmpdir(), 'mira-audio-fixture-'));
  try {
    const input = join(dir, 'in.wav');
    const output = join(dir, `out.${ext}`);
    writeFileSync(input, wav);
    const result = spawnSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      ...inputArgs,
      '-i',
      input,
      ...args,
      output,
    ]);
    if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr.toString().slice(0, 300)}`);
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A pipeline on the real models (MODEL_DIR filled from the shared model mirror), with optional env overrides. */
export async function testPipeline(
  env: Record<string, string> = {},
  options: { modelDir?: string; repoModelsDir?: string } = {},
): Promise<AudioPipeline> {
  const config = parseConfig(
    { DATA_DIR: join(tmpdir(), 'mira-audio-spec'), JWT_SECRET: 'x'.repeat(40), ...env },
    '0',
  );
  return AudioPipeline.create({
    modelDir: options.modelDir ?? (await prepareTestModelDir()),
    audio: config.audio,
    repoModelsDir: options.repoModelsDir,
  });
}
