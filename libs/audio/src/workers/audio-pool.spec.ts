import { parseConfig } from '@mira/core';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { prepareTestModelDir, readBytes, testPipeline } from '../../../../test/support/audio.js';
import type { AudioPipeline } from '../audio-pipeline.js';
import { compareCopies } from '../quality/cross-copy-snr.js';
import { AudioPoolUnavailableError, AudioWorkerLostError, AudioWorkerPool } from './audio-pool.js';

/** A pool of `size` threads on the test models and the default settings. */
async function testPool(
  size: number,
  options: { log?: (event: string) => void; repoModelsDir?: string } = {},
): Promise<AudioWorkerPool> {
  const audio = parseConfig({ DATA_DIR: '/tmp/mira-audio-pool-spec', JWT_SECRET: 'x'.repeat(40) }, '0').audio;
  const setup = { modelDir: await prepareTestModelDir(), audio, repoModelsDir: options.repoModelsDir };
  return new AudioWorkerPool(setup, size, options.log);
}

/** Waits until a thread of the pool is running a job, then terminates that thread (a crash, as far as the pool sees). */
async function killBusyThread(pool: AudioWorkerPool): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    for (const slot of pool['slots']) {
      if (slot.ready && slot.current) {
        await slot.worker.terminate();
        return;
      }
    }
    if (Date.now() > deadline) throw new Error('no thread took the job within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('AudioWorkerPool: the heavy audio stages on worker threads with their own engines', () => {
  let here: AudioPipeline;
  let pool: AudioWorkerPool;
  let speech: Float32Array;

  beforeAll(async () => {
    here = await testPipeline();
    pool = await testPool(2);
    const decoded = await here.decode(readBytes(librispeechDevSpeakers()[0]!.files[0]!));
    speech = decoded.samples.slice(0, 16_000 * 4);
  }, 300_000);

  afterAll(() => {
    pool.close();
    here.close();
  });

  it('answers what the main thread answers for quality, speech extraction and embedding', async () => {
    const [quality, extract, embedding] = await Promise.all([
      pool.run({ op: 'quality', samples: speech }),
      pool.run({ op: 'extractSpeech', samples: speech }),
      pool.run({ op: 'embed', samples: speech }),
    ]);
    expect(quality).toEqual(await here.assessQuality(speech));
    const local = await here.extractSpeech(speech);
    expect(extract.speechSeconds).toBeCloseTo(local.speechSeconds, 6);
    expect(Array.from(extract.speech)).toEqual(Array.from(local.speech));
    const localEmbedding = await here.embed(speech);
    expect(embedding.modelId).toBe(localEmbedding.modelId);
    expect(Array.from(embedding.vector)).toEqual(Array.from(localEmbedding.vector));
    // the caller's array is copied to the thread, not taken from it
    expect(speech.length).toBe(16_000 * 4);
  }, 300_000);

  it('compares copies of one sound as the main thread does (views included)', async () => {
    const noisy = speech.map((v, i) => v + 0.05 * Math.sin(i * 1.7));
    const copies = [speech.subarray(0, 32_000), noisy.subarray(80, 32_080), speech.map((v) => 0.5 * v)];
    expect(await pool.run({ op: 'compareCopies', copies })).toEqual(compareCopies(copies));
  }, 300_000);

  it('sends only the samples of a view, and runs many jobs queued at once', async () => {
    const view = speech.subarray(16_000, 16_000 * 3);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => pool.run({ op: 'quality', samples: view })),
    );
    const expected = await here.assessQuality(view.slice());
    for (const r of results) expect(r).toEqual(expected);
  }, 300_000);

  it("runs the job of a thread that died again on its replacement, with the main thread's result", async () => {
    const events: string[] = [];
    const crashing = await testPool(1, { log: (event) => events.push(event) });
    try {
      const job = crashing.run({ op: 'extractSpeech', samples: speech });
      await killBusyThread(crashing);
      const local = await here.extractSpeech(speech);
      const result = await job;
      expect(Array.from(result.denoised)).toEqual(Array.from(local.denoised));
      expect(Array.from(result.speech)).toEqual(Array.from(local.speech));
      expect(events).toContain('audio.worker_exited');
      // and the replacement keeps serving
      expect(await crashing.run({ op: 'quality', samples: speech })).toEqual(
        await here.assessQuality(speech),
      );
    } finally {
      crashing.close();
    }
  }, 300_000);

  it('rejects a job two threads died on, and keeps serving other jobs', async () => {
    const crashing = await testPool(1);
    try {
      const job = crashing.run({ op: 'extractSpeech', samples: speech });
      const outcome = job.then(
        () => 'resolved',
        (err: unknown) => err,
      );
      await killBusyThread(crashing);
      await killBusyThread(crashing);
      expect(await outcome).toBeInstanceOf(AudioWorkerLostError);
      expect(crashing.usable).toBe(true);
      expect(await crashing.run({ op: 'quality', samples: speech })).toEqual(
        await here.assessQuality(speech),
      );
    } finally {
      crashing.close();
    }
  }, 300_000);

  it('refuses every job with AudioPoolUnavailableError when no thread can build its engines', async () => {
    const broken = await testPool(1, { repoModelsDir: '/nonexistent/mira-models' });
    try {
      await expect(broken.run({ op: 'quality', samples: speech })).rejects.toBeInstanceOf(
        AudioPoolUnavailableError,
      );
      expect(broken.usable).toBe(false);
    } finally {
      broken.close();
    }
  }, 300_000);

  it('refuses jobs once closed', async () => {
    const closing = await testPool(1);
    closing.close();
    await expect(closing.run({ op: 'quality', samples: speech })).rejects.toThrow(/closed/);
    expect(closing.usable).toBe(false);
  });
});
