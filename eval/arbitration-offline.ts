/**
 * Offline harness for the copy ranking (tooling only, not product code): builds the seeded scenes of
 * eval:arbitration (eval/arbitration-scenes.ts), runs the product's VAD quality once per copy (cached under
 * .tmp/arbitration-offline/), then ranks the copies of each scene with the product's pure functions exactly as
 * StreamArbitrationService.arbitrate does (cross-copy SNR, the speech of the sound's best-ranked copy for every copy),
 * without the server. Seconds per run instead of minutes, so ranking ideas can be compared; the app eval stays the
 * figure of record. Each line also gives what each copy's own speech ratio would have decided (the product before the
 * VAD ran once per sound) and in how many scenes the two differ.
 *
 * Usage: tsx eval/arbitration-offline.ts [seed ...]   (EVAL_SCENES, default 120; EVAL_DEBUG=1 prints wrong scenes)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCopies, type CopyComparison } from '@mira/audio';
import { copyAudioScore, copyToJudge, decide, streamScore } from '@mira/stream';
import { floatToPcm16, parseConfig, pcm16ToFloat } from '@mira/core';
import { sceneGenerator } from './arbitration-scenes.js';
import { evalPipeline } from './lib.js';

const SCENES = Number(process.env.EVAL_SCENES ?? 120);
/** The product's default arbitration settings (STREAM_* unset). */
const STREAMS = parseConfig({ DATA_DIR: join(process.cwd(), '.tmp', 'eval-data') }, '0').streams;
const CACHE = join(process.cwd(), '.tmp', 'arbitration-offline');

interface CachedMic {
  name: string;
  snrDb: number;
  noise: string;
  gain: number;
  speechRatio: number;
  clipSnrDb: number;
  offset: number;
  length: number;
}
interface CachedScene {
  mics: CachedMic[];
  truth: string;
  gap: number;
}
export interface OfflineScene extends CachedScene {
  audio: Float32Array[];
}

export async function loadScenes(seed: number, count = SCENES): Promise<OfflineScene[]> {
  mkdirSync(CACHE, { recursive: true });
  const meta = join(CACHE, `seed-${seed}-${count}.json`);
  const bin = join(CACHE, `seed-${seed}-${count}.f32`);
  if (!existsSync(meta) || !existsSync(bin)) {
    const pipeline = await evalPipeline();
    const next = sceneGenerator(seed);
    const scenes: CachedScene[] = [];
    const parts: Float32Array[] = [];
    let offset = 0;
    for (let s = 0; s < count; s++) {
      const scene = next();
      const mics: CachedMic[] = [];
      for (const m of scene.mics) {
        // What the server stores: the upload's PCM16, decoded back to float.
        const stored = pcm16ToFloat(floatToPcm16(m.samples));
        const q = await pipeline.assessQuality(stored);
        mics.push({
          name: m.name,
          snrDb: m.snrDb,
          noise: m.noise,
          gain: m.gain,
          speechRatio: q.speech_ratio,
          clipSnrDb: q.snr_db,
          offset,
          length: stored.length,
        });
        parts.push(stored);
        offset += stored.length;
      }
      scenes.push({ mics, truth: scene.truth, gap: scene.gap });
    }
    const all = new Float32Array(offset);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    writeFileSync(bin, Buffer.from(all.buffer));
    writeFileSync(meta, JSON.stringify(scenes));
  }
  const scenes = JSON.parse(readFileSync(meta, 'utf8')) as CachedScene[];
  const raw = readFileSync(bin);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  return scenes.map((s) => ({
    ...s,
    audio: s.mics.map((m) => all.subarray(m.offset, m.offset + m.length)),
  }));
}

/**
 * The product's choice for one scene: the product's decision (`decide`) over its copies scored as
 * StreamArbitrationService.arbitrate scores them, with no floor holder and no phone signals: the speech ratio of the
 * best-ranked copy (`copyToJudge`) for every copy, or with `speech: 'per-copy'` each copy's own.
 */
export function productChoice(
  scene: OfflineScene,
  comparison: CopyComparison,
  speech: 'per-sound' | 'per-copy' = 'per-sound',
): string | null {
  const candidates = scene.mics.map((m, i) => ({
    name: m.name,
    chunkId: m.name,
    streamId: m.name,
    streamRowId: m.name,
    startMs: 0,
    endMs: 1000,
    snrDb: comparison.snrDb[i]!,
    speechRatio: m.speechRatio,
    score: streamScore(copyAudioScore(comparison.snrDb[i]!, 0), { hasLocation: false }).score,
  }));
  const floor = { holderStreamRowId: null, lastUntilMs: null };
  const soundSpeech = speech === 'per-sound' ? copyToJudge(candidates, floor)?.speechRatio : undefined;
  return decide(candidates, floor, { ...STREAMS, nowMs: 0 }, soundSpeech).winner?.name ?? null;
}

async function main(): Promise<void> {
  const seeds = process.argv.slice(2).map(Number);
  for (const seed of seeds.length ? seeds : [7]) {
    const scenes = await loadScenes(seed);
    let ok = 0;
    let misses = 0;
    let split = 0; // one sound taken for several: the same words forwarded more than once
    let perCopyOk = 0;
    let perCopyMisses = 0;
    let differ = 0; // scenes where each copy's own speech ratio would have decided otherwise
    const gapOk = [0, 0, 0, 0];
    const gapN = [0, 0, 0, 0];
    for (const [i, scene] of scenes.entries()) {
      const comparison = compareCopies(scene.audio);
      const choice = productChoice(scene, comparison);
      const perCopy = productChoice(scene, comparison, 'per-copy');
      if (perCopy === scene.truth) perCopyOk++;
      if (perCopy === null) perCopyMisses++;
      if (perCopy !== choice) differ++;
      const b = scene.gap < 1 ? 0 : scene.gap < 3 ? 1 : scene.gap < 6 ? 2 : 3;
      gapN[b]!++;
      if (choice === null) misses++;
      if (comparison.sounds.length > 1) split++;
      if (choice === scene.truth) {
        ok++;
        gapOk[b]!++;
      } else if (process.env.EVAL_DEBUG) {
        const snr = comparison.snrDb;
        process.stderr.write(
          `scene ${i} choice ${choice} truth ${scene.truth} gap ${scene.gap.toFixed(1)}: ${scene.mics
            .map(
              (m, k) =>
                `${m.name} ${m.snrDb.toFixed(1)}dB ${m.noise} g${m.gain.toFixed(2)} vad${m.speechRatio.toFixed(2)} x${snr[k]!.toFixed(1)}`,
            )
            .join(' | ')}\n`,
        );
      }
    }
    process.stdout.write(
      `seed ${seed}: accuracy ${((100 * ok) / scenes.length).toFixed(1)} % (${ok}/${scenes.length}), misses ${misses}, one sound taken for several ${split}, by gap <1/1-3/3-6/>=6: ${gapOk
        .map((k, j) => `${k}/${gapN[j]}`)
        .join(
          ' ',
        )}; with each copy's own VAD: ${((100 * perCopyOk) / scenes.length).toFixed(1)} %, misses ${perCopyMisses}; decisions differing ${differ}\n`,
    );
  }
}

if (process.argv[1]?.endsWith('arbitration-offline.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
