/**
 * npm run eval:speakers:calibrate — where the default speaker model's cosine scores fall, to set its built-in
 * policy defaults (libs/recognition/src/speaker-policy.ts). Uses train-clean-100 (NOT the dev speakers the
 * pipeline evaluation reports on): each utterance is split in two halves; halves of one speaker are target pairs,
 * halves of different speakers non-target pairs. Same audio path as the pipeline: denoise → VAD speech → embed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AudioPipeline } from '../libs/audio/src/audio-pipeline.js';
import { parseConfig } from '../libs/core/src/config/config.schema.js';

const N = Number(process.argv[2] ?? 40);
const dir = '/work/shared/data/librispeech/train-clean-100';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.flac'))
  .sort()
  .slice(0, N);
const config = parseConfig({ DATA_DIR: join(process.cwd(), '.tmp', 'calibrate') }, '0');
const pipeline = await AudioPipeline.create({ modelDir: config.modelDir, audio: config.audio });
console.log('speaker model', pipeline.status.speaker);

async function speechOf(samples: Float32Array): Promise<Float32Array> {
  const denoised = await pipeline.denoise(samples);
  const segs = await pipeline.detectSpeech(denoised);
  const parts = segs.map((s) => denoised.subarray(Math.floor(s.start * 16000), Math.ceil(s.end * 16000)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const halves: { a: Float32Array; b: Float32Array }[] = [];
for (const f of files) {
  const samples = (await pipeline.decode(readFileSync(join(dir, f)))).samples;
  const speech = await speechOf(samples);
  const mid = speech.length >> 1;
  halves.push({
    a: (await pipeline.embed(speech.subarray(0, mid))).vector,
    b: (await pipeline.embed(speech.subarray(mid))).vector,
  });
}
const target = halves.map((h) => dot(h.a, h.b)).sort((x, y) => x - y);
const non: number[] = [];
for (let i = 0; i < halves.length; i++)
  for (let j = 0; j < halves.length; j++) if (i !== j) non.push(dot(halves[i]!.a, halves[j]!.b));
non.sort((x, y) => x - y);
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
console.log(
  `targets n=${target.length}: p5 ${q(target, 0.05).toFixed(3)} p25 ${q(target, 0.25).toFixed(3)} median ${q(target, 0.5).toFixed(3)}`,
);
console.log(
  `non-targets n=${non.length}: median ${q(non, 0.5).toFixed(3)} p95 ${q(non, 0.95).toFixed(3)} p99 ${q(non, 0.99).toFixed(3)} max ${non[non.length - 1]!.toFixed(3)}`,
);
for (const t of [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]) {
  const frr = target.filter((s) => s < t).length / target.length;
  const far = non.filter((s) => s >= t).length / non.length;
  console.log(`threshold ${t}: miss ${(frr * 100).toFixed(1)}%  false accept ${(far * 100).toFixed(2)}%`);
}
