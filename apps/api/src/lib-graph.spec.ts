import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The libs, what each imports from the others, and every import that reaches a lib other than by its entry point. */
const LIBS_DIR = resolve('libs');
/** Everything outside libs/ that may import a lib: the app, tests and the tooling. */
const OUTSIDE_DIRS = ['apps', 'bench', 'eval', 'migrations', 'scripts', 'test', 'tooling', 'training'];
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const IMPORT = /(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm;

/** A lib's public entry points are the `@mira/…` names tsconfig.json maps: name → the lib it belongs to. */
function entryPoints(): Map<string, string> {
  const tsconfig = JSON.parse(readFileSync('tsconfig.json', 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return new Map(
    Object.keys(tsconfig.compilerOptions.paths)
      .filter((name) => name.startsWith('@mira/'))
      .map((name) => [name, name.split('/')[1]!]),
  );
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The lib a path lies in, or null outside libs/. */
function libOf(path: string): string | null {
  const inside = relative(LIBS_DIR, path);
  return inside.startsWith('..') ? null : inside.split(sep)[0]!;
}

function readGraph() {
  const entries = entryPoints();
  const libs = readdirSync(LIBS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const edges = new Map<string, Set<string>>(libs.map((lib) => [lib, new Set<string>()]));
  const violations: string[] = [];
  const files = [
    ...libs.flatMap((lib) => sourceFiles(join(LIBS_DIR, lib))),
    ...OUTSIDE_DIRS.flatMap((dir) => sourceFiles(resolve(dir))),
  ];
  for (const file of files) {
    const where = relative(process.cwd(), file);
    const from = libOf(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('@mira/')) {
        const target = entries.get(spec);
        if (!target) violations.push(`${where}: ${spec} (not an entry point in tsconfig paths)`);
        else if (target === from)
          violations.push(`${where}: ${spec} (its own entry point; inside a lib import by relative path)`);
        // Tests may wire libs together; the graph is what the product's code imports.
        else if (from && !file.endsWith('.spec.ts')) edges.get(from)?.add(target);
      } else if (spec.startsWith('.')) {
        const to = libOf(resolve(dirname(file), spec));
        if (to !== null && to !== from)
          violations.push(`${where}: ${spec} (into libs/${to}; use @mira/${to})`);
      }
    }
  }
  return { libs, edges, violations, files: files.length };
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
  const { libs, edges, violations, files } = readGraph();

  it('are reached only through their @mira/<lib> entry points, from other libs, the app, tests and tooling', () => {
    expect(libs.length).toBeGreaterThan(10);
    expect(files).toBeGreaterThan(300);
    expect(violations).toEqual([]);
  });

  it('form an acyclic graph, with core at the bottom and audio and assistant knowing no domain', () => {
    expect(findCycle(edges)).toBeNull();
    expect([...edges.get('core')!]).toEqual([]);
    expect([...edges.get('audio')!]).toEqual(['core']);
    expect([...edges.get('assistant')!]).toEqual(['core']);
  });

  it('declare global modules only in core', () => {
    const globalModules = libs
      .filter((lib) => lib !== 'core')
      .flatMap((lib) => sourceFiles(join(LIBS_DIR, lib)))
      .filter((file) => /@Global\(|global:\s*true/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(process.cwd(), file));
    expect(globalModules).toEqual([]);
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
