import type { AppConfig, AppLogger, MetricsService, ShutdownCoordinator } from '@mira/core';
import { defineJobKind, parsePayload, PermanentJobError } from './job-payload.js';
import { JobQueue, retryDelayMs } from './job-queue.service.js';
import type { JobsRepository } from './jobs.repository.js';

describe('job retry backoff', () => {
  it('doubles per attempt with jitter and caps at five minutes', () => {
    const noJitter = () => 0.5;
    expect(retryDelayMs(1, noJitter)).toBe(1000);
    expect(retryDelayMs(2, noJitter)).toBe(2000);
    expect(retryDelayMs(4, noJitter)).toBe(8000);
    expect(retryDelayMs(30, noJitter)).toBe(300_000);
    expect(retryDelayMs(1, () => 0)).toBe(750);
    expect(retryDelayMs(1, () => 1)).toBe(1250);
  });
});

describe('job payload check', () => {
  const kind = defineJobKind<{ chunk_id: string; n: number }>('test.kind', { chunk_id: 'uuid', n: 'number' });
  const id = '0b6f3c1e-6a55-4c1e-9d8e-2f0c1c2b3a4d';

  it('keeps the declared fields only and refuses a wrong kind of value with a permanent error', () => {
    expect(parsePayload(kind, { chunk_id: id, n: 3, extra: 'x' })).toEqual({ chunk_id: id, n: 3 });
    expect(() => parsePayload(kind, { chunk_id: 'x', n: 3 })).toThrow(PermanentJobError);
    expect(() => parsePayload(kind, { chunk_id: id, n: '3' })).toThrow('n must be a number');
    expect(() => parsePayload(kind, null)).toThrow('not an object');
  });
});

describe('wake-ups of delayed jobs', () => {
  const kind = defineJobKind<{ n: number }>('test.due', { n: 'number' });
  const networkId = '0b6f3c1e-6a55-4c1e-9d8e-2f0c1c2b3a4d';

  /** A queue whose every claim round is recorded (and finds nothing to run). */
  function recordingQueue(): { queue: JobQueue; claimRounds: () => number } {
    let claims = 0;
    const repository = {
      insert: async () => 'job-id',
      claim: async () => {
        claims += 1;
        return [];
      },
    } as unknown as JobsRepository;
    const config = {
      values: { jobs: { workerEnabled: true, concurrency: 4, leaseMs: 60_000, pollIntervalMs: 3_600_000 } },
    } as unknown as AppConfig;
    const metrics = { registerJobQueueSampler: () => undefined } as unknown as MetricsService;
    const shutdown = { onDrain: () => undefined } as unknown as ShutdownCoordinator;
    const queue = new JobQueue(repository, config, {} as AppLogger, shutdown, metrics);
    queue.register(kind, async () => undefined);
    queue.onApplicationBootstrap();
    return { queue, claimRounds: () => claims };
  }

  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('jobs falling due together are looked for once, a job due later gets its own look', async () => {
    const { queue, claimRounds } = recordingQueue();
    try {
      // four copies of one moment, due within a few milliseconds of each other, inside one 25 ms slot
      const slotStart = Math.ceil((Date.now() + 200) / 25) * 25;
      for (const offset of [0, 3, 7, 12]) {
        await queue.enqueue(kind, { networkId, payload: { n: offset }, runAt: new Date(slotStart + offset) });
      }
      while (claimRounds() === 0) await settle(20);
      await settle(150); // any other wake-up of these jobs would have fired by now
      expect(claimRounds()).toBe(1);

      await queue.enqueue(kind, { networkId, payload: { n: 1 }, runAt: new Date(Date.now() + 100) });
      while (claimRounds() === 1) await settle(20);
      expect(claimRounds()).toBe(2);
    } finally {
      await queue.drain(0);
    }
  });
});
