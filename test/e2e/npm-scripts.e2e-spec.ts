import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tooling/shared-data.js';

/** The scheme of docs/development.md: plain lifecycle names, or `<group>:<subject>[:<variant>]` in a known group. */
const PLAIN = ['build', 'dev', 'format', 'lint', 'start', 'test', 'typecheck'];
const GROUPS = ['bench', 'db', 'eval', 'models', 'start', 'test', 'train'];
const NAME = /^[a-z]+(:[a-z][a-z0-9-]*)*$/;

const scripts = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
);
/** `npm run x` without its `pre` hook: a hook sorts with the script it runs before. */
const hookedName = (name: string): string =>
  name.startsWith('pre') && scripts.includes(name.slice(3)) ? name.slice(3) : name;

describe('npm scripts', () => {
  it('are named by one scheme: plain lifecycle names or <group>:<subject>[:<variant>]', () => {
    const offenders = scripts.map(hookedName).filter((name) => {
      if (!NAME.test(name)) return true;
      const [group, ...rest] = name.split(':');
      return rest.length === 0 ? !PLAIN.includes(group!) : !GROUPS.includes(group!);
    });
    expect(offenders).toEqual([]);
  });

  it('are sorted by name, each pre hook just before its script', () => {
    const sorted = [...scripts].sort((a, b) => {
      const [x, y] = [hookedName(a), hookedName(b)];
      if (x !== y) return x < y ? -1 : 1;
      return a === x ? 1 : -1;
    });
    expect(scripts).toEqual(sorted);
  });

  it('every `npm run` named in the README, docs/, BENCHMARKS.md and the training guide exists', () => {
    const documents = [
      'README.md',
      'BENCHMARKS.md',
      'training/speaker/README.md',
      ...readdirSync(join(REPO_ROOT, 'docs')).map((f) => join('docs', f)),
    ];
    const missing: string[] = [];
    for (const document of documents) {
      const text = readFileSync(join(REPO_ROOT, document), 'utf8');
      for (const [, name] of text.matchAll(/npm run ([a-z][\w:-]*)/g)) {
        if (name!.endsWith(':')) continue; // a group, as in `npm run bench:*`
        if (!scripts.includes(name!)) missing.push(`${document}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
