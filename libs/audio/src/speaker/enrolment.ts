/**
 * How an enrolment clip becomes a voiceprint sample: its VAD speech after the denoiser, embedded, and the same clip
 * heard in noise (multi-condition enrolment), embedded and averaged. Noisy utterances are compared with the voice
 * heard in noise as well as with the clean voiceprint: noise and the denoiser shift every embedding the same way.
 * Split in two steps, the audio (for any model) and its embedding (by one model), so that a voiceprint of every
 * loaded model can be made from the same audio.
 */
import { centroidOf } from '@mira/core/util';
import type { EnrolmentSample, EnrolmentSpeech, SpeechExtract, VoiceEmbedding } from '../audio.types.js';
import { SAMPLE_RATE } from '../audio.types.js';
import { looped, mixAtSnr, pinkNoise, whiteNoise } from '../dsp/signal.js';

/** Shortest speech an embedding is computed for (shorter clips make fake speakers). */
export const MIN_EMBED_SECONDS = 0.5;

/** SNR of the noisy copies of an enrolment clip (the level the speaker evaluations' noise conditions use). */
const STEADY_NOISE_ENROLMENT_SNR_DB = 5;
/**
 * Babble is mixed in 5 dB lower than steady noise: its six voices are the same for every person, and at 5 dB they
 * pull everybody's voiceprint heard in noise towards them (dev split: babble top-1 75.0 % at 5 dB, 81.3 % at 10 dB,
 * while white-noise EER went from 6.4 % to 8.5 % at 5 dB and stayed 6.4 % at 10 dB).
 */
const BABBLE_ENROLMENT_SNR_DB = 10;

interface SpeechPath {
  extractSpeech(samples: Float32Array): Promise<SpeechExtract>;
  embed(samples: Float32Array, modelId?: string): Promise<VoiceEmbedding>;
}

/**
 * The clip's VAD speech, and its VAD speech in white and pink noise at 5 dB and in `babble` (when shipped) at 10 dB
 * (fixed seeds and offset: the same clip always gives the same audio); copies keeping too little speech are left out.
 */
export async function enrolmentSpeech(
  path: SpeechPath,
  babble: Float32Array | null,
  samples: Float32Array,
): Promise<EnrolmentSpeech> {
  const { speech, speechSeconds } = await path.extractSpeech(samples);
  if (speech.length < MIN_EMBED_SECONDS * SAMPLE_RATE) return { speech, speechSeconds, inNoise: [] };
  const noises: Array<[Float32Array, number]> = [
    [whiteNoise(samples.length, 11), STEADY_NOISE_ENROLMENT_SNR_DB],
    [pinkNoise(samples.length, 12), STEADY_NOISE_ENROLMENT_SNR_DB],
  ];
  if (babble) noises.push([looped(babble, samples.length), BABBLE_ENROLMENT_SNR_DB]);
  const inNoise: Float32Array[] = [];
  for (const [noise, snrDb] of noises) {
    const copy = await path.extractSpeech(mixAtSnr(samples, noise, snrDb));
    if (copy.speech.length >= MIN_EMBED_SECONDS * SAMPLE_RATE) inNoise.push(copy.speech);
  }
  return { speech, speechSeconds, inNoise };
}

/** An enrolment's speech embedded by one speaker model: the voice, and the centroid of its copies in noise. */
export async function embedEnrolment(
  path: SpeechPath,
  enrolment: EnrolmentSpeech,
  modelId?: string,
): Promise<EnrolmentSample> {
  const { speech, speechSeconds } = enrolment;
  if (speech.length < MIN_EMBED_SECONDS * SAMPLE_RATE) return { speechSeconds, voice: null, inNoise: null };
  const voice = await path.embed(speech, modelId);
  const copies: Float32Array[] = [];
  let last: VoiceEmbedding | undefined;
  for (const copy of enrolment.inNoise) {
    last = await path.embed(copy, modelId);
    copies.push(last.vector);
  }
  return { speechSeconds, voice, inNoise: last ? { ...last, vector: centroidOf(copies) } : null };
}
