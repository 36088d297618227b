import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AudioPipeline } from '../../libs/audio/src/audio-pipeline.js';
import { fetchModels, loadManifest } from '../../libs/audio/src/models/index.js';
import { parseConfig } from '../../libs/core/src/config/config.schema.js';

/** Shared test data and models (tests, evaluation and tooling only; the product never reads ../shared). */
export const SHARED = resolve(process.cwd(), '..', 'shared');
export const LIBRISPEECH = join(SHARED, 'data', 'librispeech');
export const DEV_SPEAKERS_DIR = join(LIBRISPEECH, 'test-other-dev');
export const MODEL_MIRROR = join(SHARED, 'models');

let modelDir: string | undefined;

/**
 * A MODEL_DIR filled the way production fills it: the same fetch code (`npm run models:fetch`), copying from the
 * ../shared/models mirror and verifying checksums. One per test worker process.
 */
export async function prepareTestModelDir(): Promise<string> {
  if (modelDir) return modelDir;
  const dir = join(process.cwd(), '.tmp', 'test-models');
  mkdirSync(dir, { recursive: true });
  const results = await fetchModels(loadManifest().models, dir, { mirror: MODEL_MIRROR, download: false });
  const failed = results.filter((r) => r.action === 'failed');
  if (failed.length > 0) throw new Error(`test models unavailable: ${JSON.stringify(failed)}`);
  modelDir = dir;
  return dir;
}

/** Environment overrides for startTestApp so the app runs the real GTCRN model. */
export async function audioTestEnv(): Promise<Record<string, string>> {
  return { MODEL_DIR: await prepareTestModelDir() };
}

export function devSpeakers(): Array<{ speaker: string; files: string[] }> {
  return readdirSync(DEV_SPEAKERS_DIR)
    .filter((s) => /^\d+$/.test(s))
    .sort()
    .map((speaker) => ({
      speaker,
      files: readdirSync(join(DEV_SPEAKERS_DIR, speaker))
        .filter((f) => f.endsWith('.flac'))
        .sort()
        .map((f) => join(DEV_SPEAKERS_DIR, speaker, f)),
    }));
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}

function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure ffmpeg exists for fixture encoding (installs the Debian package when running as root). */
export function ensureFfmpeg(): void {
  if (hasFfmpeg()) return;
  if (process.getuid?.() === 0) {
    // A fresh machine has no package lists yet; parallel workers wait for each other's dpkg lock.
    const lock = ['-o', 'DPkg::Lock::Timeout=300'];
    spawnSync('apt-get', [...lock, 'update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
    spawnSync('apt-get', [...lock, 'install', '-y', '-q', 'ffmpeg'], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (!hasFfmpeg()) throw new Error('ffmpeg is needed to make audio fixtures: apt-get install ffmpeg');
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

/** A pipeline on the real models (MODEL_DIR filled from the ../shared/models mirror), with optional env overrides. */
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
