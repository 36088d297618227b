import { retentionCutoff, retentionDays, sweepDedupeKey } from './retention.policy.js';

/** Data does not outlive its network's retention. */
describe('retention policy', () => {
  it("uses the network's retention_days when valid, else the default", () => {
    expect(retentionDays({ retention_days: 30 }, 90)).toBe(30);
    for (const bad of [0, -5, 1.5, '30', null, 40_000])
      expect(retentionDays({ retention_days: bad }, 90)).toBe(90);
    expect(retentionDays({}, 90)).toBe(90);
    expect(retentionDays(undefined, 7)).toBe(7);
  });

  it('the cutoff is exactly N days before now', () => {
    expect(retentionCutoff(new Date('2026-04-01T00:00:00Z'), 90).toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('one dedupe key per sweep interval', () => {
    const a = sweepDedupeKey(new Date('2026-01-01T10:00:00Z'), 3600);
    expect(sweepDedupeKey(new Date('2026-01-01T10:59:59Z'), 3600)).toBe(a);
    expect(sweepDedupeKey(new Date('2026-01-01T11:00:00Z'), 3600)).not.toBe(a);
    expect(a).toBe('sweep:2026-01-01T10:00:00.000Z');
  });
});
