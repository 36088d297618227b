import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ModelEntry } from './manifest.js';
import { sha256File } from './checksum-record.js';
import { deriveGtcrnMultiframe } from './gtcrn-multiframe.js';

export interface FetchResult {
  name: string;
  file: string;
  action: 'present' | 'copied' | 'downloaded' | 'derived' | 'skipped' | 'failed';
  detail?: string;
}

/** Transforms a manifest `derive` entry may name: source file bytes in, derived file bytes out. */
const TRANSFORMS: Record<string, (source: Uint8Array) => Uint8Array> = {
  'gtcrn-multiframe': deriveGtcrnMultiframe,
};

async function findInMirror(mirror: string, file: string): Promise<string | undefined> {
  const direct = join(mirror, file);
  if (await stat(direct).then((s) => s.isFile()).catch(() => false)) return direct;
  const wanted = basename(file);
  const walk = async (dir: string, depth: number): Promise<string | undefined> => {
    if (depth > 4) return undefined;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isFile() && e.name === wanted) return join(dir, e.name);
    for (const e of entries) {
      if (e.isDirectory()) {
        const found = await walk(join(dir, e.name), depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(mirror, 0);
}

/**
 * Puts every `model-dir` entry of the manifest into `modelDir`: kept when already there with the right checksum,
 * else copied from `mirror` (a directory searched by file name) or downloaded from the entry's source URL, or, for a
 * `derive` entry, built from its source entry's file once that one is in place. Files land under a temporary name and
 * are renamed only after the sha256 matches. Repo and npm models are left alone.
 */
export async function fetchModels(
  entries: ModelEntry[],
  modelDir: string,
  options: { mirror?: string; download?: boolean; fetchImpl?: typeof fetch } = {},
): Promise<FetchResult[]> {
  await mkdir(modelDir, { recursive: true });
  const results: FetchResult[] = [];
  // derived entries after the entries they are built from
  const ordered = [...entries.filter((e) => !e.derive), ...entries.filter((e) => e.derive)];
  for (const entry of ordered) {
    if (entry.location !== 'model-dir') {
      results.push({ name: entry.name, file: entry.file, action: 'skipped', detail: `location ${entry.location}` });
      continue;
    }
    const target = join(modelDir, entry.file);
    const expected = entry.sha256?.toLowerCase();
    if (await stat(target).catch(() => undefined)) {
      const actual = await sha256File(target);
      if (!expected || actual === expected) {
        results.push({ name: entry.name, file: entry.file, action: 'present' });
        continue;
      }
    }
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.part-${process.pid}`;
    let action: FetchResult['action'] = 'failed';
    let detail: string | undefined;
    try {
      const local =
        options.mirror && !entry.derive ? await findInMirror(options.mirror, entry.file) : undefined;
      if (entry.derive) {
        const { from, transform } = entry.derive;
        const source = entries.find((e) => e.name === from);
        const fetched = results.find((r) => r.name === from && r.action !== 'failed' && r.action !== 'skipped');
        const apply = TRANSFORMS[transform];
        if (!source || !fetched || !apply) {
          throw new Error(`cannot derive: ${!apply ? `unknown transform ${transform}` : `${from} is not available`}`);
        }
        await writeFile(temp, apply(await readFile(join(modelDir, source.file))));
        action = 'derived';
      } else if (local) {
        await copyFile(local, temp);
        action = 'copied';
      } else if (options.download !== false && /^https?:\/\//.test(entry.source)) {
        const response = await (options.fetchImpl ?? fetch)(entry.source, { redirect: 'follow' });
        if (!response.ok) throw new Error(`HTTP ${response.status} from ${entry.source}`);
        await writeFile(temp, Buffer.from(await response.arrayBuffer()));
        action = 'downloaded';
      } else {
        throw new Error(options.mirror ? `not found in mirror ${options.mirror}` : 'no source to fetch from');
      }
      const actual = await sha256File(temp);
      if (expected && actual !== expected) {
        throw new Error(`sha256 mismatch: expected ${expected}, got ${actual}`);
      }
      await rename(temp, target);
    } catch (err) {
      action = 'failed';
      detail = err instanceof Error ? err.message : String(err);
      await rm(temp, { force: true });
    }
    results.push({ name: entry.name, file: entry.file, action, ...(detail ? { detail } : {}) });
  }
  return results;
}
