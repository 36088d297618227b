/**
 * npm run eval:audio — quality of the audio stages on real speech (LibriSpeech, CC BY 4.0):
 * 1. denoiser SI-SDR gain on clean utterances mixed with white, pink and babble noise at 0, 5 and 10 dB;
 * 2. VAD frame accuracy on utterances padded with known silence (and with noise);
 * 3. speaker EER and closed-set top-1 on the 5 dev speakers (3-utterance enrolment).
 * Writes its block of BENCHMARKS.md (Audio: quality of each stage).
 */
import { loadavg } from 'node:os';
import {
  SpectralGateDenoiser,
  mixAtSnr,
  pinkNoise,
  siSdr,
  whiteNoise,
  hysteresisFlags,
  babble,
} from '@mira/audio';
import { librispeechDevSpeakers, librispeechTrainFiles } from '../tooling/shared-data.js';
import { babbleVoiceFiles, evalPipeline, fmt, load, mean } from './lib.js';
import { machineLine, writeBenchmark } from '../tooling/benchmarks-file.js';
import { enrolPersons, scoreSpeakers, type SpeakerSet } from './speaker-eval.js';

const CLIPS = Number(process.argv[2] ?? 6);
const SR = 16000;
const pipeline = await evalPipeline();
const header = machineLine();
const train = librispeechTrainFiles();
const cleanClips = await Promise.all(train.slice(20, 20 + CLIPS).map((f) => load(pipeline, f)));
const babbleSources = await Promise.all(babbleVoiceFiles('evaluation').map((f) => load(pipeline, f)));

// 1. Denoiser
const noiseKinds: Record<string, (n: number, seed: number) => Float32Array> = {
  white: (n, seed) => whiteNoise(n, seed),
  pink: (n, seed) => pinkNoise(n, seed),
  babble: (n) => babble(babbleSources, n),
};
const gate = new SpectralGateDenoiser();
const denoiseRows: string[] = [];
for (const [kind, make] of Object.entries(noiseKinds)) {
  for (const snr of [0, 5, 10]) {
    const before: number[] = [];
    const gtcrn: number[] = [];
    const dsp: number[] = [];
    for (let i = 0; i < cleanClips.length; i++) {
      const clean = cleanClips[i]!;
      const noisy = mixAtSnr(clean, make(clean.length, 100 + i), snr);
      before.push(siSdr(noisy, clean));
      gtcrn.push(siSdr(await pipeline.denoise(noisy), clean));
      dsp.push(siSdr(await gate.denoise(noisy), clean));
    }
    denoiseRows.push(
      `| ${kind} | ${snr} | ${fmt(mean(before), 2)} | ${fmt(mean(gtcrn), 2)} | **${fmt(mean(gtcrn) - mean(before), 2)}** | ${fmt(mean(dsp) - mean(before), 2)} |`,
    );
    console.log(kind, snr, mean(before).toFixed(2), mean(gtcrn).toFixed(2), mean(dsp).toFixed(2));
  }
}

// 2. VAD frame accuracy. Reference labels: padding = non-speech; inside the utterance a 32 ms frame is speech when
// its clean energy is within 35 dB of the utterance's loudest frame (LibriSpeech has no frame labels).
const frame = pipeline.vad.frameSamples;
const { threshold, negThreshold } = { threshold: 0.5, negThreshold: 0.35 };
const vadRows: string[] = [];
for (const condition of ['clean', 'pink 10 dB', 'babble 10 dB'] as const) {
  let agree = 0;
  let total = 0;
  let speechHit = 0;
  let speechTotal = 0;
  let silenceHit = 0;
  let silenceTotal = 0;
  for (let i = 0; i < cleanClips.length; i++) {
    const utt = cleanClips[i]!;
    const padBefore = Math.round((1 + (i % 3) * 0.5) * SR);
    const padAfter = 2 * SR;
    const padded = new Float32Array(Math.ceil((padBefore + utt.length + padAfter) / frame) * frame);
    padded.set(utt, padBefore);
    let input: Float32Array = padded;
    if (condition === 'pink 10 dB') input = mixAtSnr(padded, pinkNoise(padded.length, 300 + i), 10);
    if (condition === 'babble 10 dB') input = mixAtSnr(padded, babble(babbleSources, padded.length), 10);
    const frames = padded.length / frame;
    const energy = new Float64Array(frames);
    for (let f = 0; f < frames; f++) {
      let e = 0;
      for (let k = f * frame; k < (f + 1) * frame; k++) e += padded[k]! * padded[k]!;
      energy[f] = 10 * Math.log10(e / frame + 1e-12);
    }
    const peak = Math.max(...energy);
    const flags = hysteresisFlags(await pipeline.vad.probabilities(input), threshold, negThreshold);
    for (let f = 0; f < frames; f++) {
      const inUtterance = f * frame >= padBefore && (f + 1) * frame <= padBefore + utt.length;
      const truth = inUtterance && energy[f]! > peak - 35 ? 1 : 0;
      const predicted = flags[f] ?? 0;
      total++;
      if (predicted === truth) agree++;
      if (truth) {
        speechTotal++;
        if (predicted) speechHit++;
      } else {
        silenceTotal++;
        if (!predicted) silenceHit++;
      }
    }
  }
  vadRows.push(
    `| ${condition} | ${fmt((100 * agree) / total, 1)} % | ${fmt((100 * speechHit) / speechTotal, 1)} % | ${fmt((100 * silenceHit) / silenceTotal, 1)} % | ${total} |`,
  );
  console.log('vad', condition, agree / total);
}

// 3. Speakers: 3 enrolment utterances, the other 7 as tests, per dev speaker
const sets: SpeakerSet[] = [];
for (const { speaker, files } of librispeechDevSpeakers()) {
  const clips = await Promise.all(files.map((f) => load(pipeline, f)));
  sets.push({ speaker, enrol: clips.slice(0, 3), tests: clips.slice(3) });
}
const modelId = pipeline.speaker!.modelId;
const { product: spk, scale: spkScale } = await scoreSpeakers(
  pipeline,
  modelId,
  sets,
  await enrolPersons(pipeline, modelId, sets),
);
console.log('speaker', spk);

writeBenchmark({
  area: 'Audio',
  measure: 'Quality of each stage (npm run eval:audio)',
  body: `Command: \`npm run eval:audio\` (eval/audio.eval.ts). Machine: ${header}. Data: LibriSpeech (CC BY 4.0, V. Panayotov);
${CLIPS} train-clean-100 utterances as clean speech; babble = sum of 4 other train-clean-100 speakers; dev speakers =
test-other-dev (5 speakers × 10 utterances). Noise is generated with fixed seeds, so reruns give the same figures.

#### Denoiser: SI-SDR (dB), mean over ${CLIPS} utterances

| noise | input SNR (dB) | noisy SI-SDR | GTCRN SI-SDR | GTCRN gain | spectral-gate fallback gain |
|---|---|---|---|---|---|
${denoiseRows.join('\n')}

#### VAD (${pipeline.engines().vad!.engine}, threshold 0.5 / 0.35 hysteresis): frame accuracy, 32 ms frames

Utterances padded with 1–2 s of digital silence before and 2 s after. Reference: padding = non-speech; inside the
utterance, frames within 35 dB of the loudest frame = speech (LibriSpeech has no frame labels, so short pauses inside
sentences count as speech and cost the VAD a little). The babble row is there to show a limit, not a fault: babble is
other people speaking, over the padding too, so Silero rightly calls it speech; a VAD cannot tell the target speaker
from background talkers (that is the speaker embedding's job).

| condition | frame accuracy | speech frames found | silence frames kept silent | frames |
|---|---|---|---|---|
${vadRows.join('\n')}

#### Speaker embedding (${modelId}${pipeline.speaker!.weak ? ', WEAK baseline' : ''}), dev speakers

3 enrolment utterances per speaker (centroid), 7 test utterances each, ${spkScale} scores (the product's): EER **${fmt(100 * spk.eer, 1)} %**
(${spk.targets} target / ${spk.nonTargets} non-target scores), closed-set top-1 **${fmt(100 * spk.top1, 1)} %** over
${spk.trials} trials among 5 speakers. Only 5 speakers: a coarse figure; see "Speaker models" (Speakers) for conditions.

Load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}.`,
});
pipeline.close();
