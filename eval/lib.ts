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

/**
 * The 30 train-clean-100 speakers training/speaker holds out of training (its dev split: `common.libri_split`, seed
 * 1234; training/speaker/README.md). Calibration and never-enrolled speakers come from here, not from test-other-dev.
 */
export const DEV_SPLIT_SPEAKERS = (
  '1088 1098 1116 1183 1898 19 2196 229 233 2691 2764 2952 298 3436 3526 ' +
  '3699 4018 403 4297 445 458 4788 5163 5561 5789 6000 7148 7447 7800 89'
).split(' ');

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

/** Replaces `text` between `marker` and the next heading of the same or higher level (or appends it). */
function replaceBlock(doc: string, marker: string, level: number, body: string): string {
  const start = doc.indexOf(marker);
  const block = `${marker}\n${body.trim()}\n`;
  if (start < 0) return `${doc.trimEnd()}\n\n${block}`;
  const from = start + marker.length;
  const stops = ['\n## ', level === 3 ? '\n### ' : null]
    .filter((x): x is string => x !== null)
    .map((stop) => doc.indexOf(stop, from))
    .filter((i) => i >= 0);
  const end = stops.length ? Math.min(...stops) + 1 : doc.length;
  const tail = doc.slice(end);
  return `${doc.slice(0, start)}${block}${tail ? `\n${tail}` : ''}`;
}

/**
 * Writes into BENCHMARKS.md: the whole `## heading` section, or only its `### subheading` block when given.
 * Other sections are left as they are (each engineer owns their own `##` section).
 */
export function writeSection(heading: string, body: string, subheading?: string): void {
  const file = resolve(process.cwd(), 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (!subheading) {
    writeFileSync(file, replaceBlock(current, `## ${heading}\n`, 2, body));
    return;
  }
  const marker = `## ${heading}\n`;
  let start = current.indexOf(marker);
  let doc = current;
  if (start < 0) {
    doc = `${current.trimEnd()}\n\n${marker}\n`;
    start = doc.indexOf(marker);
  }
  const after = doc.indexOf('\n## ', start + marker.length);
  const sectionEnd = after < 0 ? doc.length : after + 1;
  const section = doc.slice(start, sectionEnd);
  const updated = replaceBlock(section.trimEnd() + '\n', `### ${subheading}\n`, 3, body);
  writeFileSync(
    file,
    `${doc.slice(0, start)}${updated.trimEnd()}\n${after < 0 ? '' : `\n${doc.slice(sectionEnd)}`}`,
  );
}

export const fmt = (v: number, digits = 3): string => v.toFixed(digits);
