/**
 * npm run train:speaker-cohort — builds the score-normalisation cohort shipped beside the speaker model
 * (models/<model>.cohort.f16, manifest role `speaker-cohort`): embeddings of TRAINING voices only (never the dev split
 * or the evaluation speakers), each heard the ways Mira hears people, through the product's own denoiser:
 * - LibriSpeech train-clean-100 minus the dev split: the first 6 s of each speaker's utterance, clean, telephone band,
 *   white / pink / babble noise → denoiser, and telephone band + white / pink / babble noise → denoiser (SNR 0–15 dB,
 *   seeded; babble = 4 other training speakers, a different set for every row);
 * - speechocean762's training speakers (when the model trained on them; SPEECHOCEAN_DIR): three utterances joined,
 *   clean, telephone band, pink / babble noise → denoiser, telephone band + white noise → denoiser;
 * - the Debian asterisk training voices (Allison, Menardi, IvrvoiceRU): 30 joined clips of ≥ 4 s each, clean, white
 *   5 dB → denoiser, pink 10 dB → denoiser.
 * Deterministic for a given model and denoiser (seeded noise, sorted files). Prints the sha256 for the manifest.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mixAtSnr, pinkNoise, whiteNoise, encodeFloat16, babble } from '@mira/audio';
import {
  ASTERISK_SOUNDS,
  asteriskClips,
  babbleVoiceFiles,
  evalPipeline,
  installDebianPackages,
  load,
  speechoceanTraining,
  telephoneBand,
  trainingFiles,
} from '../../eval/lib.js';

const SR = 16000;
const TRAINING_VOICES: Array<[string, string]> = [
  ['en_US_f_Allison', 'asterisk-core-sounds-en-wav'],
  ['it_IT_f_Menardi', 'asterisk-prompt-it-menardi-wav'],
  ['ru_RU_f_IvrvoiceRU', 'asterisk-core-sounds-ru-wav'],
];

// usage: cohort.ts [--model NAME] [OUT]: the named speaker model (train.sh passes the one it just trained), else the
// default one; OUT defaults to models/<model>.cohort.f16
const { values: options, positionals } = parseArgs({
  options: { model: { type: 'string' } },
  allowPositionals: true,
});
const pipeline = await evalPipeline(options.model ? { SPEAKER_MODEL: options.model } : {});
const model = pipeline.speaker;
if (!model) throw new Error(`speaker model ${options.model ?? ''} not loaded (is its sha256 pinned?)`);
const out = positionals[0] ?? join(process.cwd(), 'models', `${model.modelId}.cohort.f16`);
const training = trainingFiles(model.modelId);
// babble: 4 other training speakers, a different set for every row (never the evaluation's babble sources)
const babbleVoices = await Promise.all(
  babbleVoiceFiles('cohort', model.modelId).map((f) => load(pipeline, f)),
);
const babbleFor = (index: number) => [0, 1, 2, 3].map((k) => babbleVoices[(index * 5 + k * 7) % 24]!);
let seed = 50_000;
const snr = () => (seed * 7919) % 16;
const rows: Float32Array[] = [];
const embed = async (x: Float32Array) => rows.push((await pipeline.embed(x, model.modelId)).vector);
const denoised = async (x: Float32Array, noise: Float32Array, db: number) =>
  pipeline.denoise(mixAtSnr(x, noise, db));

for (const [index, file] of training.entries()) {
  const x = (await load(pipeline, file)).slice(0, 6 * SR);
  const phone = await telephoneBand(pipeline, x);
  await embed(x);
  await embed(phone);
  await embed(await denoised(x, pinkNoise(x.length, seed++), snr()));
  await embed(await denoised(x, whiteNoise(x.length, seed++), snr()));
  await embed(await denoised(x, babble(babbleFor(index), x.length), snr()));
  // a narrowband voice (a phone on speaker, an old recording) in a wideband room
  await embed(await denoised(phone, whiteNoise(x.length, seed++), snr()));
  await embed(await denoised(phone, pinkNoise(x.length, seed++), snr()));
  await embed(await denoised(phone, babble(babbleFor(index + 1), x.length), snr()));
  if (index % 50 === 0) console.log(`librispeech ${index}/${training.length}`);
}
// speechocean762 training speakers (when the model trained on them): three utterances joined, heard clean, over a
// telephone band, and through noise and the denoiser
for (const [index, { files }] of speechoceanTraining(model.modelId).entries()) {
  const parts = await Promise.all(files.slice(0, 3).map((f) => load(pipeline, f)));
  const x = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (x.set(p, at), at + p.length), 0);
  const phone = await telephoneBand(pipeline, x);
  await embed(x);
  await embed(phone);
  await embed(await denoised(x, pinkNoise(x.length, seed++), snr()));
  await embed(await denoised(x, babble(babbleFor(index), x.length), snr()));
  await embed(await denoised(phone, whiteNoise(x.length, seed++), snr()));
  if (index % 50 === 0) console.log(`speechocean762 ${index}`);
}
installDebianPackages(
  TRAINING_VOICES.filter(([dir]) => !existsSync(join(ASTERISK_SOUNDS, dir))).map(([, pkg]) => pkg),
);
for (const [dir] of TRAINING_VOICES) {
  const clips = await asteriskClips(pipeline, dir, Array<number>(30).fill(4));
  if (!clips) throw new Error(`Debian voice ${dir} is not installed`);
  for (const clip of clips) {
    await embed(clip);
    await embed(await denoised(clip, whiteNoise(clip.length, seed++), 5));
    await embed(await denoised(clip, pinkNoise(clip.length, seed++), 10));
  }
  console.log(`${dir}: ${clips.length} clips`);
}

const flat = new Float32Array(rows.length * model.dimension);
rows.forEach((row, i) => flat.set(row, i * model.dimension));
const bytes = encodeFloat16(flat);
writeFileSync(out, bytes);
console.log(
  JSON.stringify({
    file: out,
    rows: rows.length,
    dimension: model.dimension,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  }),
);
pipeline.close();
