import { isoUtc } from './time.js';

describe('isoUtc', () => {
  it('writes exactly what toISOString writes, across years, months, days and every field width', () => {
    const dates = [
      new Date(Date.UTC(1000, 0, 1, 0, 0, 0, 0)),
      new Date(Date.UTC(1970, 0, 1, 0, 0, 0, 0)),
      new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
      new Date(Date.UTC(2026, 11, 3, 9, 5, 7, 45)),
      new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
    ];
    // a fixed-seed walk over the years 1000–9999 (deterministic: a failure names the date it met)
    let seed = 20261203;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const from = Date.UTC(1000, 0, 1);
    const to = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 20_000; i++) dates.push(new Date(from + Math.floor(next() * (to - from))));
    for (const date of dates) expect(isoUtc(date)).toBe(date.toISOString());
  });

  it('leaves the years outside 1000–9999 and invalid dates to toISOString', () => {
    for (const date of [new Date(Date.UTC(999, 11, 31)), new Date(Date.UTC(10000, 0, 1)), new Date(-1e15)]) {
      expect(isoUtc(date)).toBe(date.toISOString());
    }
    expect(() => isoUtc(new Date(Number.NaN))).toThrow(RangeError);
    expect(isoUtc(null)).toBeNull();
    expect(isoUtc(undefined)).toBeNull();
  });
});
