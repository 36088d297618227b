import { PGlite } from '@electric-sql/pglite';
import { searchLanguageOf, searchLanguageSql } from './search-text.js';

/** An interaction's insert picks its search language in SQL: it must agree with searchLanguageOf on every shape. */
describe('search language of network settings, in TypeScript and in SQL', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create();
  }, 60_000);

  afterAll(async () => {
    await db.close();
  });

  const cases: (Record<string, unknown> | null)[] = [
    null,
    {},
    { language: 'es' },
    { language: 'DE' },
    { language: 'xx' },
    { language: 'esp' },
    { language: 'e' },
    { language: 'e1' },
    { language: 'es\n' },
    { language: '' },
    { language: 12 },
    { language: true },
    { language: ['es'] },
    { language: { code: 'es' } },
    { language: null },
    { other: 'fr' },
  ];

  it.each(cases.map((settings) => [JSON.stringify(settings), settings]))('%s', async (_label, settings) => {
    const { rows } = await db.query<{ language: string }>(
      `SELECT ${searchLanguageSql('$1::jsonb')} AS language`,
      [settings === null ? null : JSON.stringify(settings)],
    );
    expect(rows[0]!.language).toBe(searchLanguageOf(settings));
  });
});
