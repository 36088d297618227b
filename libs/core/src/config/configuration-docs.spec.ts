import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from './config.schema.js';
import type { RawEnvironment } from './env-reader.js';

const DOC = fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url));

/** Every variable parseConfig looks at, whichever branch reads it (DB_POOL_SIZE only with DATABASE_URL, …). */
function variablesReadBySchema(): Set<string> {
  const read = new Set<string>();
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-config-docs-'));
  const recording = (given: RawEnvironment): RawEnvironment =>
    new Proxy(given, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
  const environments: RawEnvironment[] = [
    { DATA_DIR: dataDir },
    { DATA_DIR: dataDir, DATABASE_URL: 'postgres://u:p@localhost:5432/mira' },
    { DATA_DIR: dataDir, NODE_ENV: 'production' },
  ];
  for (const env of environments) {
    try {
      parseConfig(recording(env), '0.0.0');
    } catch {
      // production without secrets is refused; the variables were read all the same
    }
  }
  return read;
}

/** The variables named in the first column of the tables of docs/configuration.md. */
function variablesDocumented(): Set<string> {
  const names = new Set<string>();
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]);
  }
  return names;
}

describe('docs/configuration.md', () => {
  const read = variablesReadBySchema();
  const documented = variablesDocumented();

  it('lists every variable the configuration schema reads', () => {
    expect(read.size).toBeGreaterThan(50);
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('lists no variable the schema does not read', () => {
    expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});
