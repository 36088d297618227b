import { parentPort } from 'node:worker_threads';
import { runDecodeJob, type DecodeJob, type DecodeJobResult } from './decode-job.js';
import { DecodeRefusal, type Refusal } from './refusal.js';
import { LibSampleRateResampler } from './resampler.js';

export interface DecodeRequest {
  id: number;
  job: DecodeJob;
}

export type DecodeReply =
  | { id: number; ok: true; result: DecodeJobResult }
  | { id: number; ok: false; refusal: Refusal }
  | { id: number; ok: false; error: string };

/**
 * The decoding thread (see decode-thread.ts): one job at a time, as the main thread sends them. The codecs print
 * their own diagnostics (libFLAC sync losses, mpg123 warnings) on the console; outcomes travel back as messages and
 * the main thread logs what matters, so the thread's console stays silent.
 */
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) console[method] = () => undefined;

const port = parentPort;
if (!port) throw new Error('decode.worker runs as a worker thread (see decode-thread.ts)');
const resampler = new LibSampleRateResampler();

port.on('message', ({ id, job }: DecodeRequest) => {
  runDecodeJob(job, resampler).then(
    (result) =>
      port.postMessage({ id, ok: true, result } satisfies DecodeReply, [
        result.samples.buffer as ArrayBuffer,
      ]),
    (err: unknown) =>
      port.postMessage(
        (err instanceof DecodeRefusal
          ? { id, ok: false, refusal: err.refusal }
          : { id, ok: false, error: err instanceof Error ? err.message : String(err) }) satisfies DecodeReply,
      ),
  );
});
