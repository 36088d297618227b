import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname ?? '.', '..', '..');
/** The bundled server `npm start` and the image run (scripts/bundle.mjs, last step of `npm run build`). */
export const DIST_MAIN = join(ROOT, 'dist/server/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(DIST_MAIN)) return true;
  const built = statSync(DIST_MAIN).mtimeMs;
  const sources = Math.max(...['apps', 'libs', 'migrations'].map((d) => newestMtime(join(ROOT, d))));
  // The bundle is written after tsc's output, so its time is the build's time.
  return sources > built;
}

/**
 * `npm run build` when dist/ is missing or older than the sources. Tests that run the compiled server or CLIs
 * call this in beforeAll; a lock directory keeps two jest workers from building at once.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, '.tmp', 'build.lock');
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 300_000) throw new Error(`build lock ${lock} held for 5 minutes: remove it if stale`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!isStale()) return;
    const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
