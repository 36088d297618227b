#!/usr/bin/env node
// Second half of `npm run build`: bundles tsc's output (dist/apps/api/src/main.js and what it imports, with the
// decorator metadata tsc emitted) into dist/server/, so a start loads one file instead of resolving, reading and
// compiling thousands of modules. Bundling the JavaScript, not the TypeScript: esbuild does not emit decorator
// metadata, and Nest's dependency injection reads it.
//
// Left in node_modules (loaded at run time as before): native code and packages that read their own files beside
// them (onnxruntime-node, PGlite's wasm and its pgvector extension's tarball, swagger-ui-dist's assets), and optional
// packages that are not installed (Nest's microservices, ws's native helpers, …: their `require` fails at run time
// exactly as it does unbundled).
// Dynamic imports (the Gemini SDK, PGlite, the resampler's WASM) stay separate chunks, loaded on first use.
//
// A start reads, decodes and parses every byte of the chunks main.js imports, so the bundle leaves out code the server
// never runs (see `leftOut`) and is minified: whitespace and syntax only, so that identifiers, function and class
// names stay readable in stack traces (the source maps beside each file map them back to tsc's output).
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const OUT_DIR = join(ROOT, process.env.BUNDLE_OUT ?? 'dist/server');
const COMPILED = join(ROOT, 'dist/apps/api/src');
/**
 * Entry points: the server, and every worker thread (`*.worker.js`), which the server starts by a URL relative to its
 * own file (`new URL('./decode.worker.js', import.meta.url)`): in the bundle they sit beside main.js.
 */
function entries() {
  const found = { main: join(COMPILED, 'main.js') };
  for (const file of readdirSync(join(ROOT, 'dist/libs'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.worker.js')) continue;
    const name = basename(file, '.js');
    if (found[name]) throw new Error(`two worker entries named ${name}.js: the bundle keeps one folder`);
    found[name] = join(ROOT, 'dist/libs', file);
  }
  return found;
}
const ENTRIES = entries();
const EXTERNAL = [
  'onnxruntime-node',
  '@electric-sql/pglite',
  '@electric-sql/pglite-pgvector',
  '@electric-sql/pglite-pgvector',
  'swagger-ui-dist',
  'pg-native',
  // imported by the banner, ahead of every module of every chunk (see below)
  'reflect-metadata',
];

const missingOptional = new Set();

/** TypeORM's drivers the server loads: PostgreSQL, which PGlite also runs through (pglite-pg-driver.ts). */
const TYPEORM_DRIVERS_KEPT = new Set(['PostgresDriver']);
const typeormDriversLeftOut = new Set();

/**
 * Modules a start would load and evaluate although the server never calls them, replaced by stubs that throw if it
 * ever does:
 * - TypeORM's DriverFactory requires every driver (MySQL, SQL Server, Oracle, SAP, Spanner, MongoDB, SQLite, …: 1.1 MB
 *   of their JavaScript) to pick one by `type`; only PostgresDriver is kept. The others stay classes, so TypeORM's
 *   `instanceof` checks answer false as they do now.
 * - class-validator's IsPhoneNumber requires libphonenumber-js's full metadata (0.5 MB); no DTO validates a phone
 *   number.
 */
const leftOut = {
  name: 'left-out',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\/\w+Driver$/ }, (args) => {
      if (!/[\\/]typeorm[\\/]driver[\\/]DriverFactory\.js$/.test(args.importer)) return undefined;
      const name = basename(args.path);
      if (TYPEORM_DRIVERS_KEPT.has(name)) return undefined;
      typeormDriversLeftOut.add(name);
      return { path: name, namespace: 'left-out-typeorm-driver' };
    });
    b.onLoad({ filter: /.*/, namespace: 'left-out-typeorm-driver' }, (args) => ({
      contents: `exports.${args.path} = class ${args.path} {
  constructor() { throw new Error('TypeORM\\'s ${args.path} is not in the bundled server (scripts/bundle.mjs keeps PostgresDriver only)'); }
};`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^libphonenumber-js\/max$/ }, () => ({
      path: 'libphonenumber-js/max',
      namespace: 'left-out-libphonenumber',
    }));
    b.onLoad({ filter: /.*/, namespace: 'left-out-libphonenumber' }, () => ({
      contents: `exports.parsePhoneNumber = () => {
  throw new Error('libphonenumber-js is not in the bundled server (scripts/bundle.mjs): no DTO validates phone numbers');
};`,
      loader: 'js',
    }));
  },
};

/** A bare import that does not resolve is an optional dependency that is not installed: keep it a run-time require. */
const optionalPackages = {
  name: 'optional-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'probe') return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'probe',
      });
      if (found.errors.length === 0) return undefined;
      missingOptional.add(args.path);
      return { path: args.path, external: true };
    });
  },
};

/** Whether a resolved file is CommonJS (.cjs, or .js in a package that does not declare "type": "module"). */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) return JSON.parse(readFileSync(pkg, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * Two patterns in ES-module packages that esbuild bundles differently from how Node runs them:
 * - `createRequire(import.meta.url)('typeorm')` (Nest's packages reach class-validator, class-transformer, typeorm and
 *   ws that way): esbuild cannot follow it, and at run time it would load a second copy from node_modules beside the
 *   bundled one (two metadata stores, two TypeORMs). Turned into plain `require('…')`, which esbuild bundles.
 * - `import('class-transformer')` of a CommonJS package: Node's namespace has the named exports, esbuild's split chunk
 *   only `default` (Nest's ValidationPipe then finds no plainToInstance). Turned into a require in a promise.
 */
const esmPackagesAsNodeRunsThem = {
  name: 'esm-packages-as-node-runs-them',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const createsRequire = source.includes('createRequire(import.meta.url)');
      const dynamicImports = [...source.matchAll(/\bimport\(\s*(["'])([^"'./][^"']*)\1\s*\)/g)];
      if (!createsRequire && dynamicImports.length === 0) return undefined;
      let contents = source
        .replace(/const require = createRequire\(import\.meta\.url\);/g, '')
        .replace(/const (\w+) = createRequire\(import\.meta\.url\);/g, 'const $1 = require;')
        .replace(/createRequire\(import\.meta\.url\)\(/g, 'require(');
      for (const [call, , specifier] of dynamicImports) {
        const found = await b.resolve(specifier, {
          kind: 'dynamic-import',
          resolveDir: dirname(args.path),
          importer: args.path,
          pluginData: 'probe',
        });
        if (found.errors.length > 0 || found.external || !isCommonJs(found.path)) continue;
        contents = contents.replace(
          call,
          `Promise.resolve().then(() => require(${JSON.stringify(specifier)}))`,
        );
      }
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

for (const entry of Object.values(ENTRIES)) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc first (npm run build)`);
}
rmSync(OUT_DIR, { recursive: true, force: true });
const result = await build({
  entryPoints: ENTRIES,
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Class names stay as written: TypeORM derives table names and Nest its tokens and logs from them.
  keepNames: true,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  external: EXTERNAL,
  // reflect-metadata first: decorators run while chunks evaluate, before main.js's own `import 'reflect-metadata'`
  // would (esbuild evaluates a CommonJS import where the importing module's body runs, after its ES imports).
  // CommonJS packages inside an ES module still call require() and read __dirname / __filename.
  banner: {
    js: [
      "import 'reflect-metadata';",
      "import { createRequire as __bundleCreateRequire } from 'node:module';",
      "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
      'const require = __bundleCreateRequire(import.meta.url);',
      'const __filename = __bundleFileURLToPath(import.meta.url);',
      "const __dirname = __bundleFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  plugins: [leftOut, optionalPackages, esmPackagesAsNodeRunsThem],
  metafile: true,
  logLevel: 'warning',
});
// A file found by `new URL('./x', import.meta.url)` must be beside the bundle: a worker started by URL (name it
// *.worker.ts), or a package's own file (a PGlite extension's tarball: make the package external).
for (const file of Object.keys(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  const code = readFileSync(join(ROOT, file), 'utf8');
  for (const m of code.matchAll(/new URL\(\s*["'](\.\/[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)) {
    if (!existsSync(join(OUT_DIR, m[1])))
      throw new Error(
        `${file} reads ${m[1]} by URL, but the bundle has no such file (a worker: name it *.worker.ts; a package's own file: add the package to EXTERNAL)`,
      );
  }
}
// A TypeORM release that picks its driver some other way would silently bring every driver back.
if (typeormDriversLeftOut.size === 0)
  throw new Error('no TypeORM driver left out: has typeorm/driver/DriverFactory.js changed? (see leftOut)');
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `bundled into dist/server: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 2 ** 20).toFixed(1)} MB; left to run-time require (not installed): ${[...missingOptional].sort().join(', ') || 'none'}; TypeORM drivers left out: ${typeormDriversLeftOut.size}`,
);
