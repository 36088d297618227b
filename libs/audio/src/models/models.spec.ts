import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_MIRROR_DIR } from '../../../../tooling/shared-data.js';
import { loadManifest, resolveModel, resolveModels, repoModelsDir, type ModelEntry } from './manifest.js';
import { CHECKSUM_RECORD_FILE } from './checksum-record.js';
import { fetchModels } from './model-fetch.js';
import { deriveGtcrnMultiframe } from './gtcrn-multiframe.js';

const gtcrn = () => loadManifest().models.find((m) => m.name === 'gtcrn-simple')!;
const multiframe = () => loadManifest().models.find((m) => m.name === 'gtcrn-multiframe-v1')!;

describe('model manifest and models:fetch', () => {
  it('lists name, file, checksum, source URL, licence and input spec for every model', () => {
    for (const entry of loadManifest().models) {
      expect(entry).toEqual(
        expect.objectContaining({ name: expect.any(String), file: expect.any(String), licence: expect.any(String) }),
      );
      expect(entry.source.length).toBeGreaterThan(3);
      expect(entry.input).toBeDefined();
    }
    expect(gtcrn().source).toMatch(/^https:\/\/github\.com\/Xiaobin-Rong\/gtcrn\/raw\/3862c448/);
  });

  it('copies from a mirror and verifies the sha256, then reports it present', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    const first = await fetchModels([gtcrn()], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    expect(first[0]).toMatchObject({ action: 'copied' });
    const resolved = await resolveModel(gtcrn(), { modelDir: dir, repoModelsDir: repoModelsDir() });
    expect(resolved.check).toBe('verified');
    const second = await fetchModels([gtcrn()], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    expect(second[0]).toMatchObject({ action: 'present' });
  });

  it('refuses a file whose checksum does not match and leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    const wrong: ModelEntry = { ...gtcrn(), sha256: '0'.repeat(64) };
    const result = await fetchModels([wrong], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    expect(result[0]!.action).toBe('failed');
    expect(result[0]!.detail).toContain('sha256 mismatch');
    expect(existsSync(join(dir, wrong.file))).toBe(false);
  });

  it('downloads from the source URL when no mirror has the file (fetch injected, checksum still enforced)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    const entry: ModelEntry = { ...gtcrn(), sha256: null, file: 'tiny.onnx' };
    const fetchImpl = (async () => new Response(new Uint8Array([1, 2, 3]))) as unknown as typeof fetch;
    const result = await fetchModels([entry], dir, { fetchImpl });
    expect(result[0]!.action).toBe('downloaded');
    const failing = (async () => new Response('nope', { status: 404 })) as unknown as typeof fetch;
    const missing = await fetchModels([{ ...entry, file: 'other.onnx' }], dir, { fetchImpl: failing });
    expect(missing[0]).toMatchObject({ action: 'failed' });
    expect(missing[0]!.detail).toContain('404');
  });

  it('derives the multi-frame GTCRN graph from the fetched upstream file, to its pinned checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    // listed before its source on purpose: the derived entry waits for it
    const results = await fetchModels([multiframe(), gtcrn()], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    expect(results.map((r) => [r.name, r.action])).toEqual([
      ['gtcrn-simple', 'copied'],
      ['gtcrn-multiframe-v1', 'derived'],
    ]);
    const resolved = await resolveModel(multiframe(), { modelDir: dir, repoModelsDir: repoModelsDir() });
    expect(resolved.check).toBe('verified');
    const again = await fetchModels([gtcrn(), multiframe()], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    expect(again.map((r) => r.action)).toEqual(['present', 'present']);
  });

  it('cannot derive without its source, and the transform refuses any file but the pinned upstream one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    const [result] = await fetchModels([multiframe()], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    expect(result).toMatchObject({ action: 'failed', detail: 'cannot derive: gtcrn-simple is not available' });
    expect(existsSync(join(dir, multiframe().file))).toBe(false);
    expect(() => deriveGtcrnMultiframe(new Uint8Array([8, 1]))).toThrow(/not the pinned upstream/);
  });

  it('detects a corrupted model file at startup (checksum mismatch)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    writeFileSync(join(dir, 'gtcrn_simple.onnx'), 'not a model');
    const resolved = await resolveModel(gtcrn(), { modelDir: dir, repoModelsDir: repoModelsDir() });
    expect(resolved).toMatchObject({ present: false, check: 'mismatch' });
  });

  it('resolves Silero from the npm package with a matching checksum', async () => {
    const silero = loadManifest().models.find((m) => m.role === 'vad')!;
    const resolved = await resolveModel(silero, { modelDir: '/nonexistent', repoModelsDir: repoModelsDir() });
    expect(resolved.check).toBe('verified');
    expect(resolved.path).toContain('node_modules');
  });

  it('records each checksum with the size and modification time, and hashes a file again only when they change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mira-fetch-'));
    const file = join(dir, gtcrn().file);
    await fetchModels([gtcrn()], dir, { mirror: MODEL_MIRROR_DIR, download: false });
    const dirs = { modelDir: dir, repoModelsDir: repoModelsDir() };
    const [first] = await resolveModels([gtcrn()], dirs);
    expect(first!.check).toBe('verified');
    const record = JSON.parse(readFileSync(join(dir, CHECKSUM_RECORD_FILE), 'utf8')) as Record<string, unknown>;
    expect(record[file]).toMatchObject({ sha256: gtcrn().sha256, size: statSync(file).size });

    // same size, modification time put back: the record answers (it is not read again)
    const { atime, mtime } = statSync(file);
    const damaged = readFileSync(file);
    damaged[100] ^= 0xff;
    writeFileSync(file, damaged);
    utimesSync(file, atime, mtime);
    expect((await resolveModels([gtcrn()], dirs))[0]!.check).toBe('verified');

    // a newer modification time: hashed again, and the damage is found
    utimesSync(file, atime, new Date(mtime.getTime() + 2000));
    expect((await resolveModels([gtcrn()], dirs))[0]).toMatchObject({ present: false, check: 'mismatch' });
  });
});
