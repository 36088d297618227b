/**
 * Runs the product's denoiser (the AudioPipeline's, as the app loads it) over waveforms for the Python training
 * scripts, which cannot load it themselves: the speaker model is trained on speech as the product hears it, denoised.
 * usage (from the repository root): tsx training/speaker/denoise-run.ts IN.f32 LENGTHS.json OUT.f32
 *   IN.f32: concatenated float32 16 kHz waveforms; LENGTHS.json: [n1, n2, ...]; OUT.f32: the denoised waveforms,
 *   concatenated in the same order and lengths.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { evalPipeline } from '../../eval/lib.js';

const [input, lengthsFile, output] = process.argv.slice(2);
if (!input || !lengthsFile || !output) throw new Error('usage: denoise-run.ts IN.f32 LENGTHS.json OUT.f32');
const bytes = readFileSync(input);
const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const lengths = JSON.parse(readFileSync(lengthsFile, 'utf8')) as number[];
const pipeline = await evalPipeline();
const out = new Float32Array(all.length);
let offset = 0;
for (const n of lengths) {
  const denoised = await pipeline.denoise(all.subarray(offset, offset + n));
  if (denoised.length !== n) throw new Error(`denoiser returned ${denoised.length} samples for ${n}`);
  out.set(denoised, offset);
  offset += n;
}
writeFileSync(output, Buffer.from(out.buffer));
console.log(
  JSON.stringify({ waveforms: lengths.length, samples: offset, engine: pipeline.engines().denoise }),
);
pipeline.close();
