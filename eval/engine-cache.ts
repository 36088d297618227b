/**
 * The diarizer's engines with their results remembered (tooling for eval/diarization.eval.ts): per audio array in
 * memory, and with DIARIZATION_CACHE_DIR on disk too.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiarizationEngines } from '@mira/audio';

/**
 * Embedding, VAD and denoising results kept per audio array so the grid and the baselines pay for them once; with
 * DIARIZATION_CACHE_DIR also on disk, by the audio's content and the speaker model, so that another run (another
 * clustering, another gate) pays only for what it has not seen.
 */
export function cached(inner: DiarizationEngines): DiarizationEngines {
  const speech = new WeakMap<Float32Array, ReturnType<DiarizationEngines['detectSpeech']>>();
  const clean = new WeakMap<Float32Array, ReturnType<DiarizationEngines['denoise']>>();
  const vectors = new WeakMap<ArrayBuffer, Map<string, ReturnType<DiarizationEngines['embed']>>>();
  const disk = process.env.DIARIZATION_CACHE_DIR
    ? new DiskCache(join(process.env.DIARIZATION_CACHE_DIR, inner.modelId))
    : null;
  const denoise = (s: Float32Array) =>
    disk ? disk.audio('denoised', s, () => inner.denoise(s)) : inner.denoise(s);
  const detectSpeech = (s: Float32Array) =>
    disk ? disk.json('vad', s, () => inner.detectSpeech(s)) : inner.detectSpeech(s);
  const embed = (s: Float32Array) => (disk ? disk.embedding(s, () => inner.embed(s)) : inner.embed(s));
  return {
    modelId: inner.modelId,
    minEmbedSeconds: inner.minEmbedSeconds,
    denoise: (s) => clean.get(s) ?? (clean.set(s, denoise(s)), clean.get(s)!),
    detectSpeech: (s) => speech.get(s) ?? (speech.set(s, detectSpeech(s)), speech.get(s)!),
    embed: (s) => {
      const key = `${s.byteOffset}:${s.length}`;
      let byClip = vectors.get(s.buffer as ArrayBuffer);
      if (!byClip) vectors.set(s.buffer as ArrayBuffer, (byClip = new Map()));
      if (!byClip.has(key)) byClip.set(key, embed(s));
      return byClip.get(key)!;
    },
  };
}

/** Engine results on disk, keyed by the SHA-1 of the audio they were computed from. */
class DiskCache {
  private readonly embeddings = new Map<string, Float32Array>();
  private readonly embeddingsFile: string;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.embeddingsFile = join(dir, 'embeddings.tsv');
    if (existsSync(this.embeddingsFile)) {
      for (const line of readFileSync(this.embeddingsFile, 'utf8').split('\n')) {
        const [key, data] = line.split('\t');
        if (!key || !data) continue;
        const bytes = Buffer.from(data, 'base64');
        this.embeddings.set(key, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice());
      }
    }
  }

  async audio(kind: string, s: Float32Array, compute: () => Promise<Float32Array>): Promise<Float32Array> {
    const file = join(this.dir, `${kind}-${keyOf(s)}.f32`);
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
    }
    const value = await compute();
    this.write(file, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return value;
  }

  async json<T>(kind: string, s: Float32Array, compute: () => Promise<T>): Promise<T> {
    const file = join(this.dir, `${kind}-${keyOf(s)}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
    const value = await compute();
    this.write(file, Buffer.from(JSON.stringify(value)));
    return value;
  }

  async embedding(s: Float32Array, compute: () => Promise<Float32Array>): Promise<Float32Array> {
    const key = keyOf(s);
    const known = this.embeddings.get(key);
    if (known) return known;
    const value = await compute();
    this.embeddings.set(key, value);
    const data = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    appendFileSync(this.embeddingsFile, `${key}\t${data}\n`);
    return value;
  }

  /** Written whole under another name first, so a run stopped half-way leaves no torn file behind. */
  private write(file: string, data: Buffer) {
    writeFileSync(`${file}.${process.pid}`, data);
    renameSync(`${file}.${process.pid}`, file);
  }
}

const keyOf = (s: Float32Array) =>
  createHash('sha1')
    .update(new Uint8Array(s.buffer, s.byteOffset, s.byteLength))
    .digest('hex');
