import { retryDelayMs } from './job-queue.service.js';

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
