import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The libs and what each imports from the others, read from the sources (tests excluded). */
const LIBS_DIR = resolve('libs');
const IMPORT = /(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function readGraph() {
  const libs = readdirSync(LIBS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const edges = new Map<string, Set<string>>(libs.map((lib) => [lib, new Set<string>()]));
  const violations: string[] = [];
  for (const lib of libs) {
    for (const file of sourceFiles(join(LIBS_DIR, lib, 'src'))) {
      const where = relative(process.cwd(), file);
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = match[1] ?? match[2]!;
        if (spec.startsWith('@mira/')) {
          const [, target, ...deep] = spec.split('/');
          if (deep.length > 0) violations.push(`${where}: ${spec} (deep import; use @mira/${target})`);
          if (target === lib)
            violations.push(`${where}: ${spec} (its own entry point; inside a lib import by relative path)`);
          else edges.get(lib)?.add(target!);
        } else if (spec.startsWith('.')) {
          // a relative path must stay inside the lib
          const inside = relative(join(LIBS_DIR, lib), resolve(dirname(file), spec));
          if (inside.startsWith('..')) violations.push(`${where}: ${spec} (into another lib; use @mira/…)`);
        }
      }
    }
  }
  return { libs, edges, violations };
}

/** A cycle as "a → b → a", or null. */
function findCycle(edges: Map<string, Set<string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (lib: string): string | null => {
    if (state.get(lib) === 'done') return null;
    if (state.get(lib) === 'open') return [...path.slice(path.indexOf(lib)), lib].join(' → ');
    state.set(lib, 'open');
    path.push(lib);
    for (const next of edges.get(lib) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(lib, 'done');
    return null;
  };
  for (const lib of edges.keys()) {
    const cycle = visit(lib);
    if (cycle) return cycle;
  }
  return null;
}

describe('the libs', () => {
  const { libs, edges, violations } = readGraph();

  it('import each other only through their @mira/<lib> entry points', () => {
    expect(libs.length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
  });

  it('form an acyclic graph, with core at the bottom and audio and assistant knowing no domain', () => {
    expect(findCycle(edges)).toBeNull();
    expect([...edges.get('core')!]).toEqual([]);
    expect([...edges.get('audio')!]).toEqual(['core']);
    expect([...edges.get('assistant')!]).toEqual(['core']);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toBe('a → b → c → a');
    expect(findCycle(new Map([['a', new Set(['b'])]]))).toBeNull();
  });
});
