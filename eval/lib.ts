/** Shared helpers for bench/ and eval/ scripts (tooling only; reads ../shared test data). */
import { cpus, loadavg } from 'node:os';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AudioPipeline } from '../libs/audio/src/audio-pipeline.js';
import { fetchModels, loadManifest } from '../libs/audio/src/models/index.js';
import { parseConfig } from '../libs/core/src/config/config.schema.js';

export const SHARED = resolve(process.cwd(), '..', 'shared');
export const LIBRISPEECH = join(SHARED, 'data', 'librispeech');
export const TRAIN_DIR = join(LIBRISPEECH, 'train-clean-100');
export const DEV_DIR = join(LIBRISPEECH, 'test-other-dev');

/** The product pipeline on MODEL_DIR filled from the ../shared/models mirror with the product's fetch code. */
export async function evalPipeline(env: Record<string, string> = {}): Promise<AudioPipeline> {
  const modelDir = join(process.cwd(), '.tmp', 'eval-models');
  const results = await fetchModels(loadManifest().models, modelDir, {
    mirror: join(SHARED, 'models'),
    download: false,
  });
  const failed = results.filter((r) => r.action === 'failed');
  if (failed.length) throw new Error(`models unavailable: ${JSON.stringify(failed)}`);
  const config = parseConfig(
    { DATA_DIR: join(process.cwd(), '.tmp', 'eval-data'), MODEL_DIR: modelDir, ...env },
    '0',
  );
  return AudioPipeline.create({ modelDir: config.modelDir, audio: config.audio });
}

export function trainFiles(): string[] {
  return readdirSync(TRAIN_DIR)
    .filter((f) => f.endsWith('.flac'))
    .sort()
    .map((f) => join(TRAIN_DIR, f));
}

export function devSpeakerFiles(): Array<{ speaker: string; files: string[] }> {
  return readdirSync(DEV_DIR)
    .filter((s) => /^\d+$/.test(s))
    .sort()
    .map((speaker) => ({
      speaker,
      files: readdirSync(join(DEV_DIR, speaker))
        .filter((f) => f.endsWith('.flac'))
        .sort()
        .map((f) => join(DEV_DIR, speaker, f)),
    }));
}

export async function load(pipeline: AudioPipeline, path: string): Promise<Float32Array> {
  return (await pipeline.decode(readFileSync(path))).samples;
}

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Equal error rate from target and non-target scores (higher = more likely same speaker). */
export function equalErrorRate(targets: number[], nonTargets: number[]): number {
  const thresholds = [...targets, ...nonTargets].sort((a, b) => a - b);
  let best = 1;
  let bestGap = Infinity;
  for (const t of thresholds) {
    const frr = targets.filter((s) => s < t).length / targets.length;
    const far = nonTargets.filter((s) => s >= t).length / nonTargets.length;
    if (Math.abs(frr - far) < bestGap) {
      bestGap = Math.abs(frr - far);
      best = (frr + far) / 2;
    }
  }
  return best;
}

/** Babble: the sum of `count` other speakers' utterances, each normalised to the same RMS. */
export function babble(sources: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  for (const src of sources) {
    let e = 0;
    for (let i = 0; i < src.length; i++) e += src[i]! * src[i]!;
    const g = 1 / Math.sqrt(e / src.length + 1e-12);
    for (let i = 0; i < length; i++) out[i] += g * src[i % src.length]!;
  }
  return out;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}`;
}

/** Replaces (or appends) the `## heading` section of BENCHMARKS.md; other sections are left as they are. */
export function writeSection(heading: string, body: string): void {
  const file = resolve(process.cwd(), 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marker = `## ${heading}\n`;
  const start = current.indexOf(marker);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${marker}\n${body.trim()}\n`;
  } else {
    const after = current.indexOf('\n## ', start + marker.length);
    const tail = after < 0 ? '' : current.slice(after + 1);
    next = `${current.slice(0, start)}${marker}\n${body.trim()}\n${tail ? `\n${tail}` : ''}`;
  }
  writeFileSync(file, next);
}

export const fmt = (v: number, digits = 3): string => v.toFixed(digits);
