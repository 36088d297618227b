import { APP_LINES, stripAppLine } from './app-lines.js';

describe('app line base paths', () => {
  it('strips a line prefix from HTTP paths and socket URLs, keeping the query', () => {
    expect(stripAppLine('/apps/dadei/')).toEqual({ line: APP_LINES[1], url: '/' });
    expect(stripAppLine('/apps/dadei')).toEqual({ line: APP_LINES[1], url: '/' });
    expect(stripAppLine('/apps/desktop-app/api/v1/persons?limit=5')).toEqual({
      line: APP_LINES[0],
      url: '/api/v1/persons?limit=5',
    });
    expect(stripAppLine('/apps/dadei/api/v2/realtime/ws?token=x&client_id=client-1')?.url).toBe(
      '/api/v2/realtime/ws?token=x&client_id=client-1',
    );
    expect(stripAppLine('/apps/dadei?x=1')?.url).toBe('/?x=1');
  });

  it('leaves every other URL alone, including look-alike prefixes', () => {
    for (const url of ['/', '/api/v1/persons', '/apps/dadeix/', '/apps/other/', '/apps', '/xapps/dadei/']) {
      expect(stripAppLine(url)).toBeNull();
    }
  });

  it('answers each line with a version whose major is the app’s own', () => {
    const major = (v: string) => Number(/^(\d+)/.exec(v)?.[1]);
    expect(APP_LINES.map((l) => [l.name, major(l.contractVersion)])).toEqual([
      ['desktop-app', 1],
      ['dadei', 4],
    ]);
  });
});
