import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChecksumRecord, sha256File } from './checksum-record.js';

export type ModelRole = 'denoiser' | 'vad' | 'speaker' | 'speaker-cohort' | 'enrolment-noise';
/** Where the file lives: MODEL_DIR (fetched), the repository's `models/` (our own), or inside an npm package. */
export type ModelLocation = 'model-dir' | 'repo' | 'npm';

export interface SpeakerInputSpec {
  /** `waveform`: float32 [1, N] 16 kHz samples. `fbank`: float32 [1, T, bins] Kaldi-style log-mel computed here. */
  kind: 'waveform' | 'fbank';
  /** Input tensor name; defaults to the session's first input. */
  name?: string;
  numMelBins?: number;
  frameLengthMs?: number;
  frameShiftMs?: number;
  /** Subtract the per-utterance mean of each bin (most fbank models expect it). Default true. */
  cmn?: boolean;
}

export interface ModelEntry {
  name: string;
  role: ModelRole;
  file: string;
  location: ModelLocation;
  /** Hex sha256; null for repo models whose sidecar JSON or first commit has not pinned it yet. */
  sha256: string | null;
  source: string;
  licence: string;
  description?: string;
  /** Speaker models: highest priority present wins when SPEAKER_MODEL=auto. */
  priority?: number;
  weak?: boolean;
  /** Speaker models: where measurements show the model weak (conditions and figures, in words); health shows it. */
  limitations?: string;
  input?: SpeakerInputSpec | Record<string, unknown>;
  /** Output tensor name; defaults to the session's first output. */
  output?: string;
  /** Built by models:fetch from another model-dir entry's verified file with a named transform (model-fetch.ts). */
  derive?: { from: string; transform: string };
  dimension?: number;
  /** `speaker-cohort` entries: the speaker model whose embeddings the cohort holds … */
  for?: string;
  /** … and how many nearest cohort voices each score is normalised against. */
  topK?: number;
}

export interface Manifest {
  models: ModelEntry[];
}

/** The repository root (the directory whose package.json is mira-backend), found from this file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mira-backend') return dir;
      } catch {
        // keep walking
      }
    }
    dir = dirname(dir);
  }
  throw new Error('Cannot locate the repository root (package.json named mira-backend)');
}

export function repoModelsDir(): string {
  return join(repoRoot(), 'models');
}

/**
 * Reads models/manifest.json. A repo model may carry a sidecar `<file without .onnx>.json` (written by whoever
 * trained it) whose fields (dimension, sha256, input, output, weak, description) override the manifest's.
 */
export function loadManifest(modelsDir = repoModelsDir()): Manifest {
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as Manifest;
  manifest.models = manifest.models.map((entry) => {
    if (entry.location !== 'repo' || !entry.file.endsWith('.onnx')) return entry;
    const sidecar = join(modelsDir, entry.file.replace(/\.onnx$/, '.json'));
    if (!existsSync(sidecar)) return entry;
    try {
      const extra = JSON.parse(readFileSync(sidecar, 'utf8')) as Partial<ModelEntry>;
      const merged: ModelEntry = { ...entry };
      for (const key of ['dimension', 'sha256', 'input', 'output', 'weak', 'description'] as const) {
        if (extra[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = extra[key];
      }
      return merged;
    } catch {
      return entry;
    }
  });
  return manifest;
}

export interface ResolvedModel {
  entry: ModelEntry;
  path: string;
  present: boolean;
  /** 'verified' (checksum matches), 'unpinned' (no checksum in the manifest), 'mismatch', 'missing'. */
  check: 'verified' | 'unpinned' | 'mismatch' | 'missing';
  actualSha256?: string;
}

const require = createRequire(import.meta.url);

export function modelPath(entry: ModelEntry, dirs: { modelDir: string; repoModelsDir: string }): string {
  if (isAbsolute(entry.file)) return entry.file;
  switch (entry.location) {
    case 'repo':
      return join(dirs.repoModelsDir, entry.file);
    case 'npm':
      try {
        return require.resolve(entry.file);
      } catch {
        return join(dirs.repoModelsDir, '..', 'node_modules', entry.file);
      }
    default:
      return join(dirs.modelDir, entry.file);
  }
}

/**
 * Locates an entry's file and checks its sha256 against the manifest (through `record` when given: a file unchanged
 * since it was recorded is not hashed again).
 */
export async function resolveModel(
  entry: ModelEntry,
  dirs: { modelDir: string; repoModelsDir: string },
  record?: ChecksumRecord,
): Promise<ResolvedModel> {
  const path = modelPath(entry, dirs);
  if (!existsSync(path)) return { entry, path, present: false, check: 'missing' };
  const actual = record ? await record.sha256(path) : await sha256File(path);
  if (!entry.sha256) return { entry, path, present: true, check: 'unpinned', actualSha256: actual };
  const ok = actual === entry.sha256.toLowerCase();
  return { entry, path, present: ok, check: ok ? 'verified' : 'mismatch', actualSha256: actual };
}

/** Every entry resolved and checked, using and then updating MODEL_DIR's checksum record (checksum-record.ts). */
export async function resolveModels(
  entries: ModelEntry[],
  dirs: { modelDir: string; repoModelsDir: string },
): Promise<ResolvedModel[]> {
  const record = await ChecksumRecord.open(dirs.modelDir);
  const resolved = await Promise.all(entries.map((entry) => resolveModel(entry, dirs, record)));
  await record.save();
  return resolved;
}
