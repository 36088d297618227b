import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker thread whose entry is `<name>.js` next to `base` (an import.meta.url) in the compiled server, or
 * `<name>.ts` when running from the TypeScript sources (jest, tsx scripts): then the worker registers tsx's ESM hooks
 * first and loads the .ts entry (`--import tsx` is not enough for a worker's own entry module on Node 20). tsx is a
 * dev dependency.
 */
export function spawnWorker(base: string, name: string, options: WorkerOptions): Worker {
  const compiled = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, options);
  const tsxApi = join(dirname(createRequire(base).resolve('tsx/package.json')), 'dist/esm/api/index.mjs');
  const entry = new URL(`./${name}.ts`, base).href;
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsxApi).href)})
    .then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
