import type { AudioConfigValues } from '@mira/core';
import type { AudioPipeline } from '../audio-pipeline.js';
import type { QualityReport, SpeechExtract, VoiceEmbedding } from '../audio.types.js';
import { compareCopies, type CopyComparison } from '../quality/cross-copy-snr.js';

/**
 * The CPU-heavy stages a worker thread runs on its own copy of the engines (its own ONNX sessions), and the
 * arbitration's comparison of a sound's copies (FFT alignment of every pair).
 */
export type AudioWork =
  | { op: 'quality'; samples: Float32Array }
  | { op: 'extractSpeech'; samples: Float32Array }
  | { op: 'embed'; samples: Float32Array; modelId?: string }
  | { op: 'compareCopies'; copies: Float32Array[] };

export interface AudioWorkResults {
  quality: QualityReport;
  extractSpeech: SpeechExtract;
  embed: VoiceEmbedding;
  compareCopies: CopyComparison;
}

export type AudioWorkResult = AudioWorkResults[AudioWork['op']];

/** What a worker needs to build its engines exactly as the main thread's pipeline was built. */
export interface AudioWorkerSetup {
  modelDir: string;
  audio: AudioConfigValues;
  repoModelsDir?: string;
}

export function runAudioWork(pipeline: AudioPipeline, work: AudioWork): Promise<AudioWorkResult> {
  switch (work.op) {
    case 'quality':
      return pipeline.assessQuality(work.samples);
    case 'extractSpeech':
      return pipeline.extractSpeech(work.samples);
    case 'embed':
      return pipeline.embed(work.samples, work.modelId);
    case 'compareCopies':
      return Promise.resolve(compareCopies(work.copies));
  }
}

/**
 * The work as it travels to a thread: each array only with its own samples (a view of a larger buffer would be
 * cloned whole), copied so that the caller keeps its arrays.
 */
export function ownArrays(work: AudioWork): AudioWork {
  const own = (a: Float32Array) => (a.byteLength === a.buffer.byteLength ? a : a.slice());
  return work.op === 'compareCopies'
    ? { ...work, copies: work.copies.map(own) }
    : { ...work, samples: own(work.samples) };
}

/** The buffers of a result that can be handed back without a copy (each array owns its buffer). */
export function transferablesOf(result: AudioWorkResult): ArrayBuffer[] {
  const arrays: Float32Array[] = [];
  if ('sounds' in result) return [];
  if ('vector' in result) arrays.push(result.vector);
  if ('denoised' in result) arrays.push(result.denoised, result.speech);
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) buffers.add(a.buffer as ArrayBuffer);
  }
  return [...buffers];
}
