import { SAMPLE_RATE, type SpeechSegment } from '../audio.types.js';
import { blindSnrDb } from '../quality/blind-snr.js';
import { agglomerate, centroids, closest, segmentByChange, type WeightedVector } from './clustering.js';
import { foregroundSpeech } from './foreground-gate.js';
import { spectralClusters } from './spectral.js';
import type {
  Diarization,
  DiarizationOptions,
  DiarizedSpeaker,
  SpeechAnalysis,
} from './diarization.types.js';
import { slidingWindows, turnsFromWindows } from './turns.js';

/** What diarization needs from the audio chain (AudioPipeline provides it; tests may too). */
export interface DiarizationEngines {
  readonly modelId: string;
  /** Shortest clip the embedder accepts (seconds). */
  readonly minEmbedSeconds: number;
  denoise(samples: Float32Array): Promise<Float32Array>;
  detectSpeech(samples: Float32Array): Promise<SpeechSegment[]>;
  /** L2-normalised voice embedding of 16 kHz mono speech. */
  embed(samples: Float32Array): Promise<Float32Array>;
}

/**
 * Defaults chosen on the development conversations of `npm run eval:diarization` (speakers held out of the speaker
 * model's training; figures in BENCHMARKS.md). The two cosine thresholds belong to the speaker model's scale: a model
 * without its own entry in DIARIZATION_THRESHOLDS uses the defaults and should be re-tuned with that evaluation.
 */
export const DEFAULT_DIARIZATION_OPTIONS: DiarizationOptions = {
  windowSeconds: 1.5,
  stepSeconds: 0.75,
  changeThreshold: 0.6,
  mergeThreshold: 0.4,
  // The eigengap bounds the count per recording, the join mends what the graph cut within one voice: on the evaluation
  // set this kept the count within one in 87–100 % of recordings where the merge threshold alone split voices in noise.
  clustering: 'spectral',
  spectralOn: 'windows',
  maxSpeakers: 10,
  spectralJoinThreshold: 0.4,
  foregroundGateDb: 0,
  minSpeakerSeconds: 2,
  // Over a long recording stray windows (overlap, a cough, noise) gather into small voices of their own that a fixed
  // number of seconds does not fold: an hour of 5 speakers came out as 32 voices with the share at 0, 5 with 5 %.
  minSpeakerShare: 0.05,
  embedOn: 'denoised',
  maxSegmentSeconds: 10,
  joinPauseSeconds: 0.5,
  denoise: 'auto',
  noisySnrDb: 20,
  noisy: {
    windowSeconds: 3,
    stepSeconds: 1.5,
    changeThreshold: 0.5,
    mergeThreshold: 0.55,
    embedOn: 'denoised',
    clustering: 'spectral',
    spectralOn: 'windows',
    spectralJoinThreshold: 0.6,
    // babble voices the VAD hears in the pauses are 15 dB and more under the speakers once denoised
    foregroundGateDb: 15,
    // in noise the graph cuts a few windows of one voice into a small voice of its own that the join misses: a
    // recording's voices with under 6 s are folded (a stream chunk's keep 2 s, diarizeDenoised)
    minSpeakerSeconds: 6,
  },
};

export const DIARIZATION_THRESHOLDS: Record<
  string,
  Partial<Pick<DiarizationOptions, 'changeThreshold' | 'mergeThreshold' | 'noisy'>>
> = {};

/** Options for a speaker model: its tuned thresholds over the defaults, then the caller's overrides. */
export function diarizationOptions(
  modelId: string,
  overrides: Partial<Omit<DiarizationOptions, 'noisy'>> & {
    noisy?: Partial<DiarizationOptions['noisy']>;
  } = {},
): DiarizationOptions {
  const tuned = DIARIZATION_THRESHOLDS[modelId];
  return {
    ...DEFAULT_DIARIZATION_OPTIONS,
    ...tuned,
    ...overrides,
    noisy: { ...DEFAULT_DIARIZATION_OPTIONS.noisy, ...tuned?.noisy, ...overrides.noisy },
  };
}

/** Which branch of the options a recording takes: noisy audio (blind SNR under noisySnrDb) is denoised first. */
export function diarizationBranch(
  given: DiarizationOptions,
  snrDb: number | null,
): { options: DiarizationOptions; denoised: boolean } {
  const denoised =
    given.denoise === 'always' || (given.denoise === 'auto' && snrDb !== null && snrDb < given.noisySnrDb);
  return { options: denoised ? { ...given, ...given.noisy } : given, denoised };
}

/**
 * The expensive half of diarization, for one stretch of audio (a whole clip, or one part of a long recording that
 * is analysed part by part): (noise reduction) → VAD regions → embeddings of short sliding windows. Times are in
 * seconds from the start of the whole recording (`offsetSeconds` is where this stretch starts in it).
 */
export async function analyseSpeech(
  engines: DiarizationEngines,
  samples: Float32Array,
  options: DiarizationOptions,
  denoised: boolean,
  offsetSeconds = 0,
): Promise<SpeechAnalysis> {
  const audio = denoised ? await engines.denoise(samples) : samples;
  const regions = foregroundSpeech(audio, await engines.detectSpeech(audio), options.foregroundGateDb);
  const embedded = options.embedOn === 'heard' ? samples : audio;
  const windows = slidingWindows(
    regions,
    options.windowSeconds,
    options.stepSeconds,
    engines.minEmbedSeconds,
  );
  const vectors: Float32Array[] = [];
  for (const w of windows) {
    const clip = embedded.subarray(Math.floor(w.start * SAMPLE_RATE), Math.ceil(w.end * SAMPLE_RATE));
    vectors.push(await engines.embed(clip));
  }
  const shift = <T extends { start: number; end: number }>(x: T): T => ({
    ...x,
    start: x.start + offsetSeconds,
    end: x.end + offsetSeconds,
  });
  return { regions: regions.map(shift), windows: windows.map(shift), vectors };
}

/**
 * Who spoke when, with the number of speakers unknown: (noise reduction when the audio is noisy) → VAD regions →
 * embeddings of short sliding windows → change points (a window unlike its running segment starts a new one) →
 * agglomerative clustering of the segments → every window re-assigned to its nearest voice, voices with too little
 * speech folded into their nearest neighbour → turns cut halfway between windows of different voices.
 * Deciding *who* each voice is belongs to the caller (recognition's speaker policy), from each voice's centroid.
 */
export async function diarize(
  engines: DiarizationEngines,
  samples: Float32Array,
  given: DiarizationOptions,
): Promise<Diarization> {
  const snr = given.denoise === 'auto' ? blindSnrDb(samples) : null;
  const { options, denoised } = diarizationBranch(given, snr);
  const analysis = await analyseSpeech(engines, samples, options, denoised);
  return { ...clusterVoices([analysis], options), modelId: engines.modelId, denoised };
}

/**
 * Who spoke when in a short clip that has already been through noise reduction (the utterance pipeline's
 * `extractSpeech`): no second denoising; the branch of the options (clean or noisy windows and thresholds) is the one
 * the SNR of the clip as it was heard picks (`snrDb`, e.g. `noiseJudgementSnrDb`).
 */
export async function diarizeDenoised(
  engines: DiarizationEngines,
  denoisedSamples: Float32Array,
  given: DiarizationOptions,
  snrDb: number | null,
): Promise<Diarization> {
  const branch = diarizationBranch({ ...given, denoise: 'auto' }, snrDb).options;
  // a chunk's second voice may have only a few seconds: the noisy branch's larger least speech per voice is for
  // recordings (CHUNK_DIARIZATION counts on the clean branch's)
  const options = { ...branch, minSpeakerSeconds: given.minSpeakerSeconds };
  const analysis = await analyseSpeech(engines, denoisedSamples, options, false);
  return { ...clusterVoices([analysis], options), modelId: engines.modelId, denoised: true };
}

/**
 * The cheap half: the window embeddings of every analysed stretch (in time order) → voices (change-point segments
 * merged agglomeratively, or spectral clustering) → turns. Regions that touch across two stretches are one region
 * again.
 */
export function clusterVoices(
  analyses: SpeechAnalysis[],
  options: DiarizationOptions,
): Pick<Diarization, 'turns' | 'speakers' | 'windows'> {
  const regions = joinTouching(analyses.flatMap((a) => a.regions));
  const windows = analyses.flatMap((a) => a.windows);
  const empty = { turns: [], speakers: [], windows: windows.length };
  if (windows.length === 0) return empty;
  const items: WeightedVector[] = analyses.flatMap((a) =>
    a.vectors.map((vector, i) => ({ vector, weight: a.windows[i]!.end - a.windows[i]!.start })),
  );
  let labels =
    (options.clustering === 'spectral' ? spectralVoices(items, windows, options) : null) ??
    agglomerativeVoices(items, options);

  // Re-assign windows to the nearest voice (mends windows a missed change point put in the wrong segment), then fold
  // voices with too little speech into the others.
  let voices = centroids(items, labels, Math.max(...labels) + 1);
  labels = items.map((it) => closest(it.vector, voices));
  const minSeconds = Math.max(
    options.minSpeakerSeconds,
    options.minSpeakerShare * items.length * options.stepSeconds,
  );
  for (;;) {
    const seconds = new Array<number>(voices.length).fill(0);
    labels.forEach((l) => (seconds[l]! += options.stepSeconds));
    const present = seconds.map((s, v) => ({ s, v })).filter((x) => x.s > 0);
    const weakest = present.reduce((a, b) => (b.s < a.s ? b : a));
    if (present.length <= 1 || weakest.s >= minSeconds) break;
    const others = present.filter((x) => x.v !== weakest.v).map((x) => x.v);
    labels = labels.map((l, i) =>
      l === weakest.v
        ? others[
            closest(
              items[i]!.vector,
              others.map((o) => voices[o]!),
            )
          ]!
        : l,
    );
    voices = centroids(items, labels, voices.length);
  }

  // Labels S1, S2, … in order of first appearance.
  const names = new Map<number, string>();
  for (const l of labels) if (!names.has(l)) names.set(l, `S${names.size + 1}`);
  const turns = turnsFromWindows(
    regions,
    windows,
    labels.map((l) => names.get(l)!),
    options.joinPauseSeconds,
  );
  const speakers: DiarizedSpeaker[] = [...names].map(([voice, label]) => ({
    label,
    speechSeconds: turns.filter((t) => t.speaker === label).reduce((s, t) => s + (t.end - t.start), 0),
    centroid: voices[voice]!,
  }));
  return { ...empty, turns, speakers };
}

/** Change points → segments, each summarised by its mean vector and the seconds of speech it holds. */
function changeSegments(
  items: WeightedVector[],
  options: DiarizationOptions,
): { segmentOf: number[]; segments: WeightedVector[] } {
  const maxItems = Math.max(1, Math.round(options.maxSegmentSeconds / options.stepSeconds));
  const segmentOf = segmentByChange(items, options.changeThreshold, maxItems);
  const segmentCount = segmentOf.length ? segmentOf[segmentOf.length - 1]! + 1 : 0;
  const segments = centroids(items, segmentOf, segmentCount).map((vector) => ({ vector, weight: 0 }));
  // overlapping windows: each adds one hop of new speech to its segment's weight
  segmentOf.forEach((segment) => (segments[segment]!.weight += options.stepSeconds));
  return { segmentOf, segments };
}

/** The voice of each window: segments merged while the closest pair's cosine is at least mergeThreshold. */
function agglomerativeVoices(items: WeightedVector[], options: DiarizationOptions): number[] {
  const { segmentOf, segments } = changeSegments(items, options);
  const voiceOfSegment = agglomerate(segments, options.mergeThreshold);
  return items.map((_, i) => voiceOfSegment[segmentOf[i]!]!);
}

/**
 * Fewer units than this (a clip of a few seconds) tell the eigengap too little: such audio is clustered
 * agglomeratively. More than SPECTRAL_MAX_UNITS (a recording of many minutes) are clustered from an even sample of
 * them (each eigen-decomposition is cubic in the units), every window then taking its nearest voice.
 */
export const SPECTRAL_MIN_UNITS = 16;
const SPECTRAL_MAX_UNITS = 300;
/** NME-SC's search range for the neighbour count p: up to a quarter of the units. */
const SPECTRAL_NEIGHBOUR_SHARE = 0.25;

/** The voice of each window by spectral clustering (null when there are too few units for it). */
function spectralVoices(
  items: WeightedVector[],
  windows: SpeechAnalysis['windows'],
  options: DiarizationOptions,
): number[] | null {
  const bySegment =
    options.spectralOn === 'segments' || items.length > SPECTRAL_MAX_UNITS
      ? changeSegments(items, options)
      : null;
  const units = bySegment ? bySegment.segments : items;
  if (units.length < SPECTRAL_MIN_UNITS) return null;
  const step = Math.max(1, units.length / SPECTRAL_MAX_UNITS);
  const sample = Array.from({ length: Math.min(units.length, SPECTRAL_MAX_UNITS) }, (_, i) =>
    Math.floor(i * step),
  );
  const sampled = sample.map((i) => units[i]!);
  const overlap = (i: number, j: number) => {
    const a = windows[sample[i]!]!;
    const b = windows[sample[j]!]!;
    return a.start < b.end && b.start < a.end;
  };
  const { labels, k } = spectralClusters(
    sampled.map((u) => u.vector),
    { maxClusters: options.maxSpeakers, maxNeighbourShare: SPECTRAL_NEIGHBOUR_SHARE },
    // segments do not share audio with one another
    bySegment ? undefined : overlap,
  );
  // voices the graph cut apart but whose centroids are alike are one voice
  const voices = centroids(sampled, labels, k);
  const weights = new Array<number>(k).fill(0);
  labels.forEach((l, i) => (weights[l]! += sampled[i]!.weight));
  const joined = agglomerate(
    voices.map((vector, v) => ({ vector, weight: weights[v]! })),
    options.spectralJoinThreshold,
  );
  const unitLabels =
    sample.length === units.length
      ? labels.map((l) => joined[l]!)
      : units.map((u) => joined[closest(u.vector, voices)]!);
  return bySegment ? bySegment.segmentOf.map((s) => unitLabels[s]!) : unitLabels;
}

/** Regions in time order, those that touch (a part boundary cut them) joined. */
function joinTouching(regions: SpeechSegment[]): SpeechSegment[] {
  const joined: SpeechSegment[] = [];
  for (const r of regions) {
    const last = joined[joined.length - 1];
    if (last && r.start - last.end < 0.02) last.end = Math.max(last.end, r.end);
    else joined.push({ ...r });
  }
  return joined;
}
