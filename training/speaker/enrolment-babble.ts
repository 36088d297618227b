/**
 * npm run train:enrolment-babble — builds the babble the product mixes into enrolment samples to make the voiceprint
 * heard in noise (models/enrolment-babble-v1.f16, manifest role `enrolment-noise`): 15 s of six people talking at
 * once, 16 kHz mono float16. Voices: LibriSpeech train-clean-100 (CC BY 4.0), the first three women and three men
 * of the model's training speakers in sorted order that are none of the other babble sources (the calibration's,
 * the evaluation's and the cohort's), so no evaluated condition reuses these voices. Each voice is levelled to the
 * same RMS before summing; the sum is peak-normalised to 0.5. Deterministic. Prints the sha256 for the manifest.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeFloat16, babble } from '@mira/audio';
import { LIBRISPEECH_DIR } from '../../tooling/shared-data.js';
import { babbleVoiceFiles, evalPipeline, load, speakerOfFile, trainingFiles } from '../../eval/lib.js';

const SR = 16000;
const SECONDS = 15;
const sexOf = new Map(
  readFileSync(join(LIBRISPEECH_DIR, 'SPEAKERS.TXT'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith(';') && line.includes('|'))
    .map((line) => line.split('|').map((field) => field.trim()))
    .map(([id, sex]) => [id!, sex!] as const),
);

// the training voices of the model named (--model NAME), else of the default speaker model
const { values: options } = parseArgs({ options: { model: { type: 'string' } }, allowPositionals: true });
const pipeline = await evalPipeline(options.model ? { SPEAKER_MODEL: options.model } : {});
const modelId = pipeline.speaker?.modelId;
if (!modelId) throw new Error('no speaker model loaded');
const taken = new Set([
  ...babbleVoiceFiles('calibration', modelId),
  ...babbleVoiceFiles('evaluation'),
  ...babbleVoiceFiles('cohort', modelId),
]);
const free = trainingFiles(modelId).filter((f) => !taken.has(f));
const voices = [
  ...free.filter((f) => sexOf.get(speakerOfFile(f)) === 'F').slice(0, 3),
  ...free.filter((f) => sexOf.get(speakerOfFile(f)) === 'M').slice(0, 3),
];
if (voices.length !== 6) throw new Error('not enough training voices for the babble');

const sum = babble(await Promise.all(voices.map((f) => load(pipeline, f))), SECONDS * SR);
pipeline.close();
let peak = 0;
for (const v of sum) peak = Math.max(peak, Math.abs(v));
for (let i = 0; i < sum.length; i++) sum[i] = (0.5 * sum[i]!) / peak;

const out =
  process.argv.slice(2).find((a) => !a.startsWith('--') && a !== options.model) ??
  join(process.cwd(), 'models', 'enrolment-babble-v1.f16');
const bytes = encodeFloat16(sum);
writeFileSync(out, bytes);
console.log(`voices: ${voices.map(speakerOfFile).join(' ')}`);
console.log(
  `${out}: ${SECONDS} s, ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`,
);
