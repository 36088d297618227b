/**
 * Where the data and model mirrors for tests, evaluations, benchmarks and training live: the one place that says so.
 *
 * `MIRA_SHARED_DIR` names the folder; without it, `shared` beside the clone (`<clone>/../shared`). Nothing here is
 * product code: the application never reads this folder, and nothing fetched from it is committed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchModels, loadManifest } from '@mira/audio';

/** The clone's root: the nearest folder above this file whose package.json is Mira's (also from compiled copies). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mira-backend'
    ) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no mira-backend package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();
export const SHARED_DIR = resolve(process.env.MIRA_SHARED_DIR || join(REPO_ROOT, '..', 'shared'));
/** LibriSpeech (CC BY 4.0, V. Panayotov et al.): `train-clean-100` and `test-other-dev`, one folder per speaker. */
export const LIBRISPEECH_DIR = join(SHARED_DIR, 'data', 'librispeech');
export const LIBRISPEECH_TRAIN_DIR = join(LIBRISPEECH_DIR, 'train-clean-100');
export const LIBRISPEECH_DEV_DIR = join(LIBRISPEECH_DIR, 'test-other-dev');
/** Copies of the model files named in models/manifest.json, searched by file name (`models:fetch --mirror`). */
export const MODEL_MIRROR_DIR = join(SHARED_DIR, 'models');

/**
 * Fills `dir` the way production fills MODEL_DIR: the product's fetch code, copying from the mirror (never
 * downloading) and verifying every checksum. Throws when a model is unavailable.
 */
export async function fillModelDirFromMirror(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const results = await fetchModels(loadManifest().models, dir, {
    mirror: MODEL_MIRROR_DIR,
    download: false,
  });
  const failed = results.filter((r) => r.action === 'failed');
  if (failed.length > 0)
    throw new Error(`models unavailable from ${MODEL_MIRROR_DIR}: ${JSON.stringify(failed)}`);
  return dir;
}

/** The FLAC files of a folder, sorted by name (LibriSpeech names them speaker-chapter-utterance). */
export function flacFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.flac'))
    .sort()
    .map((f) => join(dir, f));
}

/** train-clean-100: one utterance of each of its speakers. */
export function librispeechTrainFiles(): string[] {
  return flacFiles(LIBRISPEECH_TRAIN_DIR);
}

/** test-other-dev: the utterances of one speaker (1688, 1998, 2033, 3080 or 533). */
export function librispeechDevFiles(speaker: string): string[] {
  return flacFiles(join(LIBRISPEECH_DEV_DIR, speaker));
}

/** test-other-dev: every speaker with their utterances, by speaker id. */
export function librispeechDevSpeakers(): Array<{ speaker: string; files: string[] }> {
  return readdirSync(LIBRISPEECH_DEV_DIR)
    .filter((s) => /^\d+$/.test(s))
    .sort()
    .map((speaker) => ({ speaker, files: librispeechDevFiles(speaker) }));
}

/**
 * speechocean762 (training/speaker/README.md says how to obtain it): `SPEECHOCEAN_DIR`, else `data/speechocean762` in the
 * shared folder. Read by the speaker training, calibration and evaluations when present; nothing needs it otherwise.
 */
export const SPEECHOCEAN_DIR = resolve(
  process.env.SPEECHOCEAN_DIR || join(SHARED_DIR, 'data', 'speechocean762'),
);

/** speechocean762's speakers and their utterance files (Kaldi lists of its train/ and test/), or null when absent. */
export function speechoceanSpeakers(): Map<string, string[]> | null {
  if (!existsSync(join(SPEECHOCEAN_DIR, 'test', 'spk2utt'))) return null;
  const speakers = new Map<string, string[]>();
  for (const part of ['train', 'test']) {
    const wav = new Map(
      readFileSync(join(SPEECHOCEAN_DIR, part, 'wav.scp'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/) as [string, string]),
    );
    for (const line of readFileSync(join(SPEECHOCEAN_DIR, part, 'spk2utt'), 'utf8')
      .split('\n')
      .filter(Boolean)) {
      const [speaker, ...utterances] = line.split(/\s+/);
      speakers.set(
        speaker!,
        utterances.sort().map((u) => join(SPEECHOCEAN_DIR, wav.get(u)!)),
      );
    }
  }
  return speakers;
}
