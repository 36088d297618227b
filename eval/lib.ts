/** Shared helpers for bench/ and eval/ scripts (tooling only; data from tooling/shared-data.ts). */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AudioPipeline,
  CohortScoreNormaliser,
  loadManifest,
  modelPath,
  OnnxSpeakerEmbedder,
  repoModelsDir,
} from '@mira/audio';
import { parseConfig } from '@mira/core';
import {
  fillModelDirFromMirror,
  librispeechTrainFiles,
  speechoceanSpeakers,
} from '../tooling/shared-data.js';

/**
 * The product pipeline on MODEL_DIR filled from the shared model mirror with the product's fetch code.
 * Tooling: COHORT_FILE=path scores the default speaker model against another cohort file (e.g. one just built by
 * train:speaker-cohort) without touching the manifest; COHORT_FILE=none drops its cohort (its plain-cosine fallback);
 * COHORT_TOP_K=n normalises against the n nearest cohort rows instead of the manifest's topK.
 */
export async function evalPipeline(env: Record<string, string> = {}): Promise<AudioPipeline> {
  const modelDir = await fillModelDirFromMirror(join(process.cwd(), '.tmp', 'eval-models'));
  const config = parseConfig(
    { DATA_DIR: join(process.cwd(), '.tmp', 'eval-data'), MODEL_DIR: modelDir, ...env },
    '0',
  );
  const pipeline = await AudioPipeline.create({ modelDir: config.modelDir, audio: config.audio });
  const model = pipeline.speaker;
  const { COHORT_FILE: cohortFile, COHORT_TOP_K: topKOverride } = process.env;
  if ((cohortFile || topKOverride) && model instanceof OnnxSpeakerEmbedder) {
    const entry = loadManifest().models.find((e) => e.role === 'speaker-cohort' && e.for === model.modelId);
    const file =
      cohortFile ?? (entry ? modelPath(entry, { modelDir, repoModelsDir: repoModelsDir() }) : 'none');
    const topK = topKOverride ? Number(topKOverride) : (entry?.topK ?? 100);
    model.normaliser = file === 'none' ? null : CohortScoreNormaliser.fromFile(file, model.dimension, topK);
    console.log(
      `cohort ${file}, top ${topK}: ${model.modelId} scored on ${pipeline.speakerScale(model.modelId)}`,
    );
  }
  return pipeline;
}

/** The product's default minimum of VAD speech in an enrolment sample (ENROLMENT_MIN_SPEECH_SECONDS unset). */
export const ENROLMENT_MIN_SPEECH_SECONDS = parseConfig(
  { DATA_DIR: join(process.cwd(), '.tmp', 'eval-data') },
  '0',
).voiceprints.enrolmentMinSpeechSeconds;

/** What a trained speaker model's sidecar (models/<model>.json, written by training/speaker/verify.py) says it held out. */
interface HeldOut {
  /** train-clean-100 speakers never trained on (its LibriSpeech dev split, `common.libri_split`). */
  dev_speakers: string[];
  /** speechocean762 speakers never trained on: the dev split, and those kept for evaluation only. */
  speechocean_dev?: string[];
  speechocean_eval?: string[];
}

/**
 * The speakers a speaker model never trained on, from its sidecar; a model without one (the MFCC baseline, trained on
 * nothing) takes the split of the first sidecar that has one. Read when asked, for the model asked about.
 */
export function heldOutOf(modelId: string): HeldOut {
  const read = (file: string): HeldOut | undefined => {
    const path = join(repoModelsDir(), file);
    if (!existsSync(path)) return undefined;
    return (JSON.parse(readFileSync(path, 'utf8')) as { held_out?: HeldOut }).held_out;
  };
  const own = read(`${modelId}.json`);
  if (own?.dev_speakers) return own;
  for (const file of readdirSync(repoModelsDir()).sort()) {
    const other = file.endsWith('.json') ? read(file) : undefined;
    if (other?.dev_speakers) return other;
  }
  throw new Error(`no model sidecar in ${repoModelsDir()} lists held-out speakers`);
}

/**
 * The train-clean-100 speakers a speaker model never trained on (its LibriSpeech dev split). Calibration and
 * never-enrolled speakers come from here, not from test-other-dev.
 */
export function devSplitSpeakers(modelId: string): string[] {
  return heldOutOf(modelId).dev_speakers;
}

/** The speechocean762 speakers a model trained on (all but its held-out ones), with their files. */
export function speechoceanTraining(modelId: string): Array<{ speaker: string; files: string[] }> {
  const all = speechoceanSpeakers();
  const held = heldOutOf(modelId);
  const out = new Set([...(held.speechocean_dev ?? []), ...(held.speechocean_eval ?? [])]);
  if (!all || out.size === 0) return [];
  return [...all.entries()].filter(([s]) => !out.has(s)).map(([speaker, files]) => ({ speaker, files }));
}

/** The speechocean762 speakers a model held out for `use`, with their files (empty without the data or the lists). */
export function speechoceanHeldOut(
  modelId: string,
  use: 'dev' | 'eval',
): Array<{ speaker: string; files: string[] }> {
  const all = speechoceanSpeakers();
  const ids =
    (use === 'dev' ? heldOutOf(modelId).speechocean_dev : heldOutOf(modelId).speechocean_eval) ?? [];
  if (!all) return [];
  return ids.map((speaker) => ({ speaker, files: all.get(speaker) ?? [] }));
}

/** train-clean-100 files of the speakers a model trained on (outside its dev split). */
export function trainingFiles(modelId: string): string[] {
  const dev = devSplitSpeakers(modelId);
  return librispeechTrainFiles().filter((f) => !dev.includes(speakerOfFile(f)));
}

/**
 * The train-clean-100 voices of each babble, kept apart so that no condition reuses another's babble: the calibration's
 * 4 and the cohort's 24 (training voices), the evaluations' 4 (eval:speakers:model, eval:audio). The shipped enrolment
 * babble takes its six voices from none of them.
 */
export function babbleVoiceFiles(use: 'evaluation'): string[];
export function babbleVoiceFiles(use: 'calibration' | 'cohort', modelId: string): string[];
export function babbleVoiceFiles(use: 'calibration' | 'evaluation' | 'cohort', modelId?: string): string[] {
  if (use === 'evaluation') return librispeechTrainFiles().slice(100, 104);
  if (!modelId) throw new Error(`the ${use} babble takes training voices of a model: name it`);
  return use === 'calibration' ? trainingFiles(modelId).slice(0, 4) : trainingFiles(modelId).slice(-24);
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
  // one sweep over the sorted scores: at threshold t, targets below t are missed and non-targets at or above t pass
  const sortedTargets = Float64Array.from(targets).sort();
  const sortedNon = Float64Array.from(nonTargets).sort();
  const thresholds = Float64Array.from([...targets, ...nonTargets]).sort();
  let best = 1;
  let bestGap = Infinity;
  let missed = 0;
  let nonBelow = 0;
  for (const t of thresholds) {
    while (missed < sortedTargets.length && sortedTargets[missed]! < t) missed++;
    while (nonBelow < sortedNon.length && sortedNon[nonBelow]! < t) nonBelow++;
    const frr = missed / targets.length;
    const far = (nonTargets.length - nonBelow) / nonTargets.length;
    if (Math.abs(frr - far) < bestGap) {
      bestGap = Math.abs(frr - far);
      best = (frr + far) / 2;
    }
  }
  return best;
}

/** The LibriSpeech speaker id of a `<speaker>-<chapter>-<utterance>.flac` path. */
export const speakerOfFile = (path: string): string => path.split('/').pop()!.split('-')[0]!;

/** Second-order Butterworth high-pass at 16 kHz (RBJ biquad). */
function highPass(x: Float32Array, cutoff: number): Float32Array {
  const w = (2 * Math.PI * cutoff) / 16000;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b0 = (1 + cos) / 2 / a0;
  const b1 = -(1 + cos) / a0;
  const b2 = b0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  const y = new Float32Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = b0 * x[i]! + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x[i]!;
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

/** A telephone channel: 16 → 8 → 16 kHz, then a 300 Hz high-pass. */
export async function telephoneBand(pipeline: AudioPipeline, x: Float32Array): Promise<Float32Array> {
  const narrow = await pipeline.resampler.resample(x, 16000, 8000);
  return highPass(await pipeline.resampler.resample(narrow, 8000, 16000), 300);
}

/**
 * Debian asterisk prompts of one voice (`dir` under /usr/share/asterisk/sounds), in file order, joined with 0.25 s
 * pauses into clips, clip k at least `minSeconds[k]` long. Returns null when the voice's package is not installed.
 */
export async function asteriskClips(
  pipeline: AudioPipeline,
  dir: string,
  minSeconds: number[],
): Promise<Float32Array[] | null> {
  const root = join(ASTERISK_SOUNDS, dir);
  if (!existsSync(root)) return null;
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .sort();
  const joined: Float32Array[] = [];
  let current: Float32Array[] = [];
  for (const file of files) {
    if (joined.length >= minSeconds.length) break;
    const prompt = (await pipeline.decode(readFileSync(join(root, file)))).samples;
    current.push(prompt, new Float32Array(4000));
    const length = current.reduce((n, c) => n + c.length, 0);
    if (length >= minSeconds[joined.length]! * 16000) {
      const clip = new Float32Array(length);
      let offset = 0;
      for (const c of current) {
        clip.set(c, offset);
        offset += c.length;
      }
      joined.push(clip);
      current = [];
    }
  }
  return joined;
}

export const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds';

/** Installs Debian packages that are missing (as root; otherwise the caller reports what is skipped). */
export function installDebianPackages(packages: string[]): void {
  if (packages.length === 0 || process.getuid?.() !== 0) return;
  spawnSync('apt-get', ['install', '-y', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export const fmt = (v: number, digits = 3): string => v.toFixed(digits);
