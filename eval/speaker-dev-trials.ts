/**
 * The dev-split material the speaker policy is calibrated on, taken through the product's path: persons enrolled as
 * enrolment makes voiceprints (AudioPipeline.enrolmentSpeech → embedEnrolment), and test clips heard in several
 * conditions and lengths, each with its SNR as the product judges it (noiseJudgementSnrDb), its VAD speech after the
 * denoiser, and its embedding.
 *
 * The audio stage does not depend on the speaker model (SNR, denoiser, VAD) and is the slow one: it is cached
 * (.tmp/speaker-dev-audio.{json,f32}, keyed by the speaker lists and conditions), so another model only embeds.
 *
 * Speakers (never trained on by the model, from its sidecar):
 * - the LibriSpeech dev split (train-clean-100, one 10-15 s utterance each; every second speaker narrowband, heard
 *   through a telephone band throughout): enrolment = the first half in three parts; tests = crops of the second half
 *   (1, 1.5, 2, 3 s and the whole half);
 * - the speechocean762 dev split (20 short utterances each): enrolment = the first three utterances; tests = the next
 *   eight utterances as they are (1-4 s) and three more joined (≥ 4 s).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AudioPipeline,
  type EnrolmentSpeech,
  mixAtSnr,
  noiseJudgementSnrDb,
  pinkNoise,
} from '@mira/audio';
import { centroidOf } from '@mira/core';
import { type PersonCentroid } from '@mira/recognition';
import { babble } from '@mira/audio';
import { librispeechTrainFiles } from '../tooling/shared-data.js';
import {
  babbleVoiceFiles,
  devSplitSpeakers,
  ENROLMENT_MIN_SPEECH_SECONDS,
  load,
  speakerOfFile,
  speechoceanHeldOut,
  telephoneBand,
} from './lib.js';

const SR = 16000;
export const DEV_CONDITIONS = ['clean', 'telephone band', 'pink 5 dB', 'babble 5 dB', 'babble 10 dB'];

export interface DevTrial {
  /** Index of the speaker's person in `persons`. */
  speaker: number;
  corpus: 'librispeech' | 'speechocean';
  condition: string;
  /** Length of the clip as heard (before the VAD). */
  clipSeconds: number;
  speechSeconds: number;
  snrDb: number;
  /** Null when the VAD kept too little speech to embed (the product answers unknown). */
  embedding: Float32Array | null;
}

export interface DevMaterial {
  modelId: string;
  persons: PersonCentroid[];
  corpusOf: Array<'librispeech' | 'speechocean'>;
  trials: DevTrial[];
}

interface AudioPerson {
  personId: string;
  corpus: DevTrial['corpus'];
  enrolment: EnrolmentSpeech[];
}
interface AudioTrial extends Omit<DevTrial, 'embedding'> {
  speech: Float32Array;
}

/** The dev material of a model. `limit`: at most this many speakers of each corpus (a quick look; cached apart). */
export async function devMaterial(
  pipeline: AudioPipeline,
  modelId: string,
  limit = Infinity,
): Promise<DevMaterial> {
  const audio = await devAudio(pipeline, modelId, limit);
  const persons: PersonCentroid[] = [];
  for (const p of audio.persons) {
    const clean: Float32Array[] = [];
    const noisy: Float32Array[] = [];
    for (const e of p.enrolment) {
      const sample = await pipeline.embedEnrolment(e, modelId);
      if (sample.voice) clean.push(sample.voice.vector);
      if (sample.inNoise) noisy.push(sample.inNoise.vector);
    }
    persons.push({
      personId: p.personId,
      centroid: centroidOf(clean),
      ...(noisy.length ? { noisyCentroid: centroidOf(noisy) } : {}),
      samples: clean.length,
    });
  }
  const trials: DevTrial[] = [];
  for (const { speech, ...t } of audio.trials) {
    const embedding = speech.length >= SR / 2 ? (await pipeline.embed(speech, modelId)).vector : null;
    trials.push({ ...t, embedding });
  }
  return { modelId, persons, corpusOf: audio.persons.map((p) => p.corpus), trials };
}

async function devAudio(
  pipeline: AudioPipeline,
  modelId: string,
  limit: number,
): Promise<{ persons: AudioPerson[]; trials: AudioTrial[] }> {
  const libri = devSplitSpeakers(modelId);
  const ocean = speechoceanHeldOut(modelId, 'dev').slice(0, limit);
  const key = createHash('sha256')
    .update(JSON.stringify({ libri, ocean: ocean.map((o) => o.speaker), limit, DEV_CONDITIONS }))
    .digest('hex')
    .slice(0, 16);
  const base = join(process.cwd(), '.tmp', `speaker-dev-audio-${key}`);
  if (existsSync(`${base}.json`) && existsSync(`${base}.f32`)) return readAudio(base);

  const persons: AudioPerson[] = [];
  const trials: AudioTrial[] = [];
  const babbleSources = await Promise.all(
    babbleVoiceFiles('calibration', modelId).map((f) => load(pipeline, f)),
  );
  let seed = 7000;
  const conditions: Record<string, (x: Float32Array) => Float32Array | Promise<Float32Array>> = {
    clean: (x) => x,
    'telephone band': (x) => telephoneBand(pipeline, x),
    'pink 5 dB': (x) => mixAtSnr(x, pinkNoise(x.length, seed++), 5),
    'babble 5 dB': (x) => mixAtSnr(x, babble(babbleSources, x.length), 5),
    'babble 10 dB': (x) => mixAtSnr(x, babble(babbleSources, x.length), 10),
  };
  const enrol = async (clips: Float32Array[]) => {
    const out: EnrolmentSpeech[] = [];
    for (const clip of clips) {
      const e = await pipeline.enrolmentSpeech(clip);
      if (e.speechSeconds >= ENROLMENT_MIN_SPEECH_SECONDS) out.push(e); // else the product refuses it
    }
    return out;
  };
  const test = async (speaker: number, corpus: DevTrial['corpus'], clips: Float32Array[]) => {
    for (const condition of DEV_CONDITIONS) {
      for (const clip of clips) {
        const heard = await conditions[condition]!(clip);
        const snrDb = noiseJudgementSnrDb((await pipeline.assessQuality(heard)).snr_db, heard);
        const { speech, speechSeconds } = await pipeline.extractSpeech(heard);
        trials.push({
          speaker,
          corpus,
          condition,
          clipSeconds: clip.length / SR,
          speechSeconds,
          snrDb,
          speech,
        });
      }
    }
  };

  let narrow = false;
  const libriFiles = librispeechTrainFiles().filter((f) => libri.includes(speakerOfFile(f)));
  for (const file of libriFiles.slice(0, limit)) {
    const wide = await load(pipeline, file);
    if (wide.length < 8 * SR) continue; // too short to give both enrolment and tests
    const x = narrow ? await telephoneBand(pipeline, wide) : wide;
    narrow = !narrow;
    const half = x.length >> 1;
    const third = Math.floor(half / 3);
    const enrolment = await enrol([0, 1, 2].map((k) => x.subarray(k * third, (k + 1) * third)));
    if (enrolment.length === 0) continue;
    const rest = x.subarray(half);
    const crops = [1, 1.5, 2, 3].map((seconds, k) => {
      const n = Math.round(seconds * SR);
      const start = Math.floor(((rest.length - n) * (k + 0.5)) / 4);
      return rest.slice(start, start + n);
    });
    persons.push({ personId: `librispeech-${speakerOfFile(file)}`, corpus: 'librispeech', enrolment });
    await test(persons.length - 1, 'librispeech', [...crops, rest.slice()]);
    console.log(`dev audio: librispeech ${persons.length}`);
  }
  for (const { speaker, files } of ocean) {
    if (files.length < 14) continue;
    const clips = await Promise.all(files.map((f) => load(pipeline, f)));
    const enrolment = await enrol(clips.slice(0, 3));
    if (enrolment.length === 0) continue;
    const joined = concat(clips.slice(11, 14));
    persons.push({ personId: `speechocean-${speaker}`, corpus: 'speechocean', enrolment });
    await test(persons.length - 1, 'speechocean', [...clips.slice(3, 11), joined]);
    console.log(`dev audio: speechocean ${persons.length}`);
  }
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  writeAudio(base, { persons, trials });
  return { persons, trials };
}

/**
 * Strangers who keep talking: every utterance (20 each, clean, in order) of the speechocean762 dev speakers, taken
 * through the product's path (SNR, denoiser, VAD, embedding) as test clips are. A stranger is not enrolled, so the
 * three utterances that enrol them elsewhere are theirs to say here too: about twenty utterances each, where the dev
 * tests hold eight short ones, so that how often a gathered person is named afterwards rests on hundreds of
 * utterances. `speaker` is the index of the speaker's person in `material.persons`. Cached like the dev audio.
 */
export async function devStrangerVoices(
  pipeline: AudioPipeline,
  material: DevMaterial,
  limit = Infinity,
): Promise<DevTrial[]> {
  const ocean = speechoceanHeldOut(material.modelId, 'dev').slice(0, limit);
  const key = createHash('sha256')
    .update(JSON.stringify({ voices: ocean.map((o) => [o.speaker, o.files.length]) }))
    .digest('hex')
    .slice(0, 16);
  const base = join(process.cwd(), '.tmp', `speaker-dev-voices-${key}`);
  let audio: AudioTrial[];
  if (existsSync(`${base}.json`) && existsSync(`${base}.f32`)) audio = readAudio(base).trials;
  else {
    audio = [];
    for (const { speaker, files } of ocean) {
      const index = material.persons.findIndex((p) => p.personId === `speechocean-${speaker}`);
      if (index < 0) continue;
      for (const file of files) {
        const heard = await load(pipeline, file);
        const snrDb = noiseJudgementSnrDb((await pipeline.assessQuality(heard)).snr_db, heard);
        const { speech, speechSeconds } = await pipeline.extractSpeech(heard);
        audio.push({
          speaker: index,
          corpus: 'speechocean',
          condition: 'clean',
          clipSeconds: heard.length / SR,
          speechSeconds,
          snrDb,
          speech,
        });
      }
      console.log(`dev stranger voices: ${speaker}`);
    }
    mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
    writeAudio(base, { persons: [], trials: audio });
  }
  const out: DevTrial[] = [];
  for (const { speech, ...t } of audio) {
    const embedding =
      speech.length >= SR / 2 ? (await pipeline.embed(speech, material.modelId)).vector : null;
    out.push({ ...t, embedding });
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Arrays go to one float32 file, everything else to JSON with [offset, length] in place of each array. */
function writeAudio(base: string, audio: { persons: AudioPerson[]; trials: AudioTrial[] }): void {
  const arrays: Float32Array[] = [];
  let at = 0;
  const ref = (a: Float32Array) => {
    arrays.push(a);
    at += a.length;
    return [at - a.length, a.length];
  };
  const json = {
    persons: audio.persons.map((p) => ({
      ...p,
      enrolment: p.enrolment.map((e) => ({ ...e, speech: ref(e.speech), inNoise: e.inNoise.map(ref) })),
    })),
    trials: audio.trials.map((t) => ({ ...t, speech: ref(t.speech) })),
  };
  writeFileSync(`${base}.f32`, Buffer.from(concat(arrays).buffer));
  writeFileSync(`${base}.json`, JSON.stringify(json));
}

function readAudio(base: string): { persons: AudioPerson[]; trials: AudioTrial[] } {
  const bytes = readFileSync(`${base}.f32`);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const get = ([offset, length]: [number, number]) => all.slice(offset, offset + length);
  type Ref = [number, number];
  const json = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as {
    persons: Array<
      Omit<AudioPerson, 'enrolment'> & {
        enrolment: Array<{ speech: Ref; speechSeconds: number; inNoise: Ref[] }>;
      }
    >;
    trials: Array<Omit<AudioTrial, 'speech'> & { speech: Ref }>;
  };
  return {
    persons: json.persons.map((p) => ({
      ...p,
      enrolment: p.enrolment.map((e) => ({ ...e, speech: get(e.speech), inNoise: e.inNoise.map(get) })),
    })),
    trials: json.trials.map((t) => ({ ...t, speech: get(t.speech) })),
  };
}
