import { parentPort, workerData } from 'node:worker_threads';
import { AudioPipeline } from '../audio-pipeline.js';
import {
  runAudioWork,
  transferablesOf,
  type AudioWork,
  type AudioWorkerSetup,
  type AudioWorkResult,
} from './audio-work.js';

export interface AudioWorkRequest {
  id: number;
  work: AudioWork;
}

export type AudioWorkerMessage =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | { kind: 'done'; id: number; result: AudioWorkResult }
  | { kind: 'error'; id: number; error: string };

/**
 * One audio worker thread (see audio-pool.ts): its own engines, built once from the same options as the main
 * thread's (so its own ONNX sessions, reused for every job it runs), then one job at a time as the pool sends them.
 */
const port = parentPort;
if (!port) throw new Error('audio.worker runs as a worker thread (see audio-pool.ts)');
const setup = workerData as AudioWorkerSetup;

AudioPipeline.create({
  modelDir: setup.modelDir,
  audio: setup.audio,
  repoModelsDir: setup.repoModelsDir,
}).then(
  (pipeline) => {
    port.on('message', ({ id, work }: AudioWorkRequest) => {
      runAudioWork(pipeline, work).then(
        (result) =>
          port.postMessage(
            { kind: 'done', id, result } satisfies AudioWorkerMessage,
            transferablesOf(result),
          ),
        (err: unknown) =>
          port.postMessage({
            kind: 'error',
            id,
            error: err instanceof Error ? err.message : String(err),
          } satisfies AudioWorkerMessage),
      );
    });
    port.postMessage({ kind: 'ready' } satisfies AudioWorkerMessage);
  },
  (err: unknown) =>
    port.postMessage({
      kind: 'failed',
      error: err instanceof Error ? err.message : String(err),
    } satisfies AudioWorkerMessage),
);
