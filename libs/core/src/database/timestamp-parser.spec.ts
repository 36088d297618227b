import { generalTimestamptzParser, parseTimestamptz } from './timestamp-parser.js';

const same = (text: string) => {
  const fast = parseTimestamptz(text);
  const general = generalTimestamptzParser(text);
  if (fast instanceof Date && general instanceof Date)
    expect([text, fast.getTime()]).toEqual([text, general.getTime()]);
  else expect([text, fast]).toEqual([text, general]);
};

/** pg's timestamptz values read by parseTimestamptz are the Dates pg's own parser (postgres-date) gives. */
describe('parseTimestamptz', () => {
  it('gives the same instant as pg for 20,000 UTC timestamps with 0 to 6 fraction digits', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const pad = (value: number, width: number) => String(value).padStart(width, '0');
    for (let i = 0; i < 20_000; i++) {
      const digits = next(7);
      const fraction = digits === 0 ? '' : `.${pad(next(10 ** digits), digits)}`;
      const text =
        `${pad(1000 + next(9000), 4)}-${pad(1 + next(12), 2)}-${pad(1 + next(28), 2)} ` +
        `${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}${fraction}+00`;
      same(text);
    }
  });

  it('leaves every other spelling to pg, with the same answer', () => {
    for (const text of [
      '2026-01-01 12:00:00+00',
      '2026-01-01 12:00:00.1+00',
      '2026-01-01 12:00:00.999999+00',
      '2026-01-01 12:00:00.+00',
      '2026-01-01 12:00:00.123+05:30',
      '2026-01-01 12:00:00-08',
      '2026-01-01 12:00:00Z',
      '0099-01-01 00:00:00+00',
      '0999-12-31 23:59:59.5+00',
      '2026-01-01 12:00:00+00 BC',
      '12026-01-01 12:00:00+00',
      'infinity',
      '-infinity',
      '2026-13-45 25:61:61+00',
      '2026-01-01',
      'garbage',
    ])
      same(text);
  });

  it('reads the UTC timestamps itself', () => {
    expect((parseTimestamptz('2026-03-04 05:06:07.089+00') as Date).toISOString()).toBe(
      '2026-03-04T05:06:07.089Z',
    );
  });
});
