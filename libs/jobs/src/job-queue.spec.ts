import { defineJobKind, parsePayload, PermanentJobError } from './job-payload.js';
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
