import { parseConfig } from '@mira/core';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { prepareTestModelDir, readBytes, testPipeline } from '../../../../test/support/audio.js';
import type { AudioPipeline } from '../audio-pipeline.js';
import { AudioWorkerPool } from './audio-pool.js';

describe('AudioWorkerPool: the heavy audio stages on worker threads with their own engines', () => {
  let here: AudioPipeline;
  let pool: AudioWorkerPool;
  let speech: Float32Array;

  beforeAll(async () => {
    here = await testPipeline();
    const config = parseConfig({ DATA_DIR: '/tmp/mira-audio-pool-spec', JWT_SECRET: 'x'.repeat(40) }, '0');
    pool = new AudioWorkerPool({ modelDir: await prepareTestModelDir(), audio: config.audio }, 2);
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

  it('sends only the samples of a view, and runs many jobs queued at once', async () => {
    const view = speech.subarray(16_000, 16_000 * 3);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => pool.run({ op: 'quality', samples: view })),
    );
    const expected = await here.assessQuality(view.slice());
    for (const r of results) expect(r).toEqual(expected);
  }, 300_000);

  it('refuses jobs once closed', async () => {
    const closing = new AudioWorkerPool(
      {
        modelDir: await prepareTestModelDir(),
        audio: parseConfig({ DATA_DIR: '/tmp/x', JWT_SECRET: 'x'.repeat(40) }, '0').audio,
      },
      1,
    );
    closing.close();
    await expect(closing.run({ op: 'quality', samples: speech })).rejects.toThrow(/closed/);
    expect(closing.usable).toBe(false);
  });
});
