/** Marks ts_headline puts around matched words; stripped from the content first, so they can only be ours. */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

export interface Highlight {
  text: string;
  matches: { start: number; end: number }[];
}

/** A ts_headline passage with our marks → the plain passage and where the matches are in it. */
export function parseHeadline(marked: string): Highlight {
  const matches: { start: number; end: number }[] = [];
  let text = '';
  let open = -1;
  for (const char of marked) {
    if (char === MATCH_START) {
      open = text.length;
    } else if (char === MATCH_END) {
      if (open >= 0 && text.length > open) matches.push({ start: open, end: text.length });
      open = -1;
    } else {
      text += char;
    }
  }
  return { text, matches };
}

/**
 * The language words are matched in: the network's `settings.language` (an ISO 639-1 code, lower-cased), English
 * when unset or not a two-letter code. Codes PostgreSQL has no stemmer for are matched word for word (mira_search_config).
 */
export function searchLanguageOf(settings: Record<string, unknown> | null | undefined): string {
  const value = settings?.['language'];
  return typeof value === 'string' && /^[a-z]{2}$/i.test(value) ? value.toLowerCase() : 'en';
}

/** searchLanguageOf in SQL over a jsonb settings expression, for a statement that reads its network itself. */
export function searchLanguageSql(settings: string): string {
  const value = `${settings} ->> 'language'`;
  return `CASE WHEN jsonb_typeof(${settings} -> 'language') = 'string' AND ${value} ~ '^[A-Za-z]{2}$'
               THEN lower(${value}) ELSE 'en' END`;
}
