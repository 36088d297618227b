import pg from 'pg';

const TIMESTAMPTZ_OID = 1184;

type TimestampParser = (text: string) => Date | number | null;

/** The parser pg registers for timestamptz (postgres-date): it reads every text the fast reading below leaves. */
export const generalTimestamptzParser = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as TimestampParser;

/** Where `YYYY-MM-DD HH:MM:SS` has its digits. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const digit = (text: string, at: number): number => text.charCodeAt(at) - 48;
const twoDigits = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1);

/**
 * A timestamptz as PostgreSQL writes it in UTC (`2026-01-01 12:00:00.123456+00`, years 1000-9999, up to six
 * fraction digits), read from its characters; anything else (another zone offset, BC, infinity, other years) goes
 * to pg's own parser. The same Date as pg's: the fraction is turned into milliseconds as postgres-date does (1000 ×
 * parseFloat, truncated by Date.UTC). pg's parser runs three regular expressions per value, and a list page holds
 * three timestamps per row.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const n = text.length;
  if (
    n >= 22 &&
    n <= 29 &&
    n !== 23 &&
    text.charCodeAt(n - 3) === 43 /* + */ &&
    text.charCodeAt(n - 2) === 48 &&
    text.charCodeAt(n - 1) === 48 &&
    text.charCodeAt(4) === 45 /* - */ &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 /* space */ &&
    text.charCodeAt(13) === 58 /* : */ &&
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(0) !== 48 /* a year from 1000 */ &&
    DIGITS.every((at) => isDigit(text.charCodeAt(at))) &&
    (n === 22 || (text.charCodeAt(19) === 46 /* . */ && fractionDigits(text, 20, n - 3)))
  ) {
    const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
    const ms = n === 22 ? 0 : 1000 * parseFloat(text.slice(19, n - 3));
    return new Date(
      Date.UTC(
        year,
        twoDigits(text, 5) - 1,
        twoDigits(text, 8),
        twoDigits(text, 11),
        twoDigits(text, 14),
        twoDigits(text, 17),
        ms,
      ),
    );
  }
  return generalTimestamptzParser(text);
}

function fractionDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** pg reads timestamptz columns with parseTimestamptz from now on (every pool and client of this process). */
export function readTimestamptzFast(): void {
  pg.types.setTypeParser(TIMESTAMPTZ_OID, parseTimestamptz);
}
