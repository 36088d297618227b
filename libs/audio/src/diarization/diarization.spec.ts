import { seededRandom, unitVector } from '@mira/core';
import { librispeechDevSpeakers as devSpeakers } from '../../../../tooling/shared-data.js';
import { readBytes, testPipeline } from '../../../../test/support/audio.js';
import type { AudioPipeline } from '../audio-pipeline.js';
import { babble, mixAtSnr } from '../dsp/signal.js';
import { agglomerate, segmentByChange, type WeightedVector } from './clustering.js';
import {
  analyseSpeech,
  clusterVoices,
  diarizationBranch,
  diarizationOptions,
  diarize,
  diarizeDenoised,
  type DiarizationEngines,
} from './diarizer.js';
import { diarizationEngines } from './engines.js';
import { slidingWindows, turnsFromWindows } from './turns.js';

/** `count` unit vectors scattered around `direction` (cosine to it about 1 - spread). */
function around(
  direction: Float32Array,
  count: number,
  spread: number,
  random: () => number,
): WeightedVector[] {
  return Array.from({ length: count }, () => ({
    vector: unitVector(direction.map((x) => x + (random() - 0.5) * spread)),
    weight: 1,
  }));
}

describe('diarization: clustering and turns', () => {
  const random = seededRandom(7);
  const directions = Array.from({ length: 3 }, () =>
    unitVector(Float32Array.from({ length: 64 }, () => random() - 0.5)),
  );

  it('finds the number of voices by merging while the closest pair stays similar', () => {
    const items = directions.flatMap((d) => around(d, 12, 0.15, random));
    const labels = agglomerate(items, 0.6);
    expect(labels.slice(0, 12)).toEqual(Array(12).fill(0));
    expect(labels.slice(12, 24)).toEqual(Array(12).fill(1));
    expect(labels.slice(24)).toEqual(Array(12).fill(2));
    // a threshold no pair reaches keeps every item apart; one nobody misses merges everything
    expect(new Set(agglomerate(items, 1.01)).size).toBe(36);
    expect(new Set(agglomerate(items, -1.01)).size).toBe(1);
    expect(agglomerate([], 0.5)).toEqual([]);
  });

  it('starts a new segment where a vector stops resembling the running one, and bounds segment length', () => {
    const [a, b] = directions;
    const items = [...around(a!, 5, 0.1, random), ...around(b!, 4, 0.1, random)];
    expect(segmentByChange(items, 0.7, 100)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(segmentByChange(items, 0.7, 3)).toEqual([0, 0, 0, 1, 1, 2, 2, 2, 3]);
  });

  it('folds a voice with less than its share of all the speech into the nearest voice, however many seconds it has', () => {
    const [a, b, c] = directions;
    // 60 s of A, 60 s of B, then 3 s of a third direction (noise, overlap) in one analysed stretch of 0.75 s hops
    const vectors = [
      ...around(a!, 80, 0.1, random),
      ...around(b!, 80, 0.1, random),
      ...around(c!, 4, 0.1, random),
    ].map((v) => v.vector);
    const windows = vectors.map((_, i) => ({ start: i * 0.75, end: i * 0.75 + 1.5 }));
    const analysis = { regions: [{ start: 0, end: windows.at(-1)!.end }], windows, vectors };
    const options = {
      ...diarizationOptions('test'),
      clustering: 'agglomerative' as const,
      minSpeakerSeconds: 2,
      minSpeakerShare: 0,
    };
    expect(clusterVoices([analysis], options).speakers.map((s) => s.label)).toEqual(['S1', 'S2', 'S3']);
    // 3 s of 123 s is under 5 %: one of the two voices takes it
    const folded = clusterVoices([analysis], { ...options, minSpeakerShare: 0.05 });
    expect(folded.speakers.map((s) => s.label)).toEqual(['S1', 'S2']);
    expect(folded.turns.at(-1)!.end).toBe(windows.at(-1)!.end);
  });

  it('in noise folds a voice with under 6 s of a recording, where a stream chunk keeps a second voice of 3 s', async () => {
    const [a, b] = directions;
    // 12 s of speech: voice A, then voice B in the last two noisy windows (3 s every 1.5 s, from 7.5 s on)
    const audio = new Float32Array(16000 * 12);
    const engines: DiarizationEngines = {
      modelId: 'test',
      minEmbedSeconds: 0.5,
      denoise: async (samples) => samples,
      detectSpeech: async () => [{ start: 0, end: 12 }],
      embed: async (clip) => (clip.byteOffset / 4 >= 16000 * 7.5 ? b! : a!),
    };
    const given = diarizationOptions('test');
    const chunk = await diarizeDenoised(engines, audio, given, 5);
    expect(chunk.speakers.map((s) => s.label)).toEqual(['S1', 'S2']);
    expect(chunk.turns.at(-1)).toEqual({ start: 8.25, end: 12, speaker: 'S2' });
    // the same audio as (one part of) a noisy recording: its 3 s voice is under the noisy branch's 6 s, folded
    const { options } = diarizationBranch(given, 5);
    const recording = clusterVoices([await analyseSpeech(engines, audio, options, true)], options);
    expect(recording.speakers.map((s) => s.label)).toEqual(['S1']);
    expect(recording.turns).toEqual([{ start: 0, end: 12, speaker: 'S1' }]);
  });

  it('with spectral clustering counts the voices of a recording whose embeddings are all pulled alike', () => {
    const [a, b, c] = directions;
    const common = unitVector(Float32Array.from({ length: 64 }, () => random() - 0.5));
    // turns A, B, C, A, B, C of 15 s (20 windows each); every vector pulled toward one direction, as noise does
    const vectors = [a, b, c, a, b, c]
      .flatMap((d) => around(d!, 20, 0.2, random))
      .map((v) => unitVector(v.vector.map((x, i) => x + 1.5 * common[i]!)));
    const windows = vectors.map((_, i) => ({ start: i * 0.75, end: i * 0.75 + 1.5 }));
    const analysis = { regions: [{ start: 0, end: windows.at(-1)!.end }], windows, vectors };
    const options = {
      ...diarizationOptions('test'),
      clustering: 'agglomerative' as const,
      mergeThreshold: 0.55,
    };
    expect(clusterVoices([analysis], options).speakers).toHaveLength(1);
    const spectral = clusterVoices([analysis], {
      ...options,
      clustering: 'spectral',
      spectralJoinThreshold: 2,
    });
    expect(spectral.speakers.map((s) => s.label)).toEqual(['S1', 'S2', 'S3']);
    expect(spectral.turns.map((t) => t.speaker)).toEqual(['S1', 'S2', 'S3', 'S1', 'S2', 'S3']);
    // a clip too short for the eigengap is clustered by the threshold
    const short = {
      regions: [{ start: 0, end: 9 }],
      windows: windows.slice(0, 10),
      vectors: vectors.slice(0, 10),
    };
    expect(clusterVoices([short], { ...options, clustering: 'spectral' })).toEqual(
      clusterVoices([short], options),
    );
  });

  it('lays windows over speech and cuts turns halfway between windows of different voices', () => {
    const regions = [
      { start: 0, end: 4 },
      { start: 4.2, end: 4.5 },
      { start: 6, end: 7 },
    ];
    const windows = slidingWindows(regions, 1.5, 0.75, 0.5);
    expect(windows).toEqual([
      { start: 0, end: 1.5 },
      { start: 0.75, end: 2.25 },
      { start: 1.5, end: 3 },
      { start: 2.25, end: 3.75 },
      { start: 2.5, end: 4 },
      { start: 6, end: 7 },
    ]);
    // a region a rounding error longer than a window (150 frames of 20 ms from frame 15) is one window of its own
    const hair = { start: 15 * 0.02, end: 165 * 0.02 };
    expect(hair.end - hair.start).toBeGreaterThan(3);
    expect(slidingWindows([hair], 3, 1.5, 0.5)).toEqual([hair]);
    const turns = turnsFromWindows(regions, windows, ['S1', 'S1', 'S2', 'S2', 'S2', 'S2'], 0.5);
    // cut halfway between the centres 1.5 and 2.25; the 0.3 s region has no window and joins the nearest (S2)
    expect(turns).toEqual([
      { start: 0, end: 1.875, speaker: 'S1' },
      { start: 1.875, end: 4.5, speaker: 'S2' },
      { start: 6, end: 7, speaker: 'S2' },
    ]);
  });
});

describe('diarization on real speech (held-out LibriSpeech voices, real ONNX sessions)', () => {
  let pipeline: AudioPipeline;
  const clip = async (file: string, seconds: number) =>
    (await pipeline.decode(readBytes(file))).samples.subarray(16000 * 0.5, 16000 * (0.5 + seconds));
  let conversation: Float32Array;

  beforeAll(async () => {
    pipeline = await testPipeline();
    const [a, b] = devSpeakers();
    const parts = [await clip(a!.files[0]!, 7), await clip(b!.files[0]!, 7), await clip(a!.files[1]!, 6)];
    const gap = new Float32Array(16000 * 0.6);
    conversation = new Float32Array(parts.reduce((n, p) => n + p.length + gap.length, 0));
    let at = 0;
    for (const p of parts) {
      conversation.set(p, at);
      at += p.length + gap.length;
    }
  });

  afterAll(() => pipeline?.close());

  it('finds two voices taking turns A, B, A with the changes where they happened', async () => {
    const engines = diarizationEngines(pipeline);
    const result = await diarize(engines, conversation, diarizationOptions(engines.modelId));
    expect(result.speakers.map((s) => s.label)).toEqual(['S1', 'S2']);
    // a speaker's pauses split their turns; who follows whom is A, B, A
    const changes = result.turns.filter((t, i) => i === 0 || result.turns[i - 1]!.speaker !== t.speaker);
    expect(changes.map((t) => t.speaker)).toEqual(['S1', 'S2', 'S1']);
    // B starts at 7.6 s (7 s of A, then a 0.6 s pause), A again at 15.2 s
    expect(Math.abs(changes[1]!.start - 7.6)).toBeLessThan(1);
    expect(Math.abs(changes[2]!.start - 15.2)).toBeLessThan(1);
    expect(result.speakers[0]!.centroid).toHaveLength(pipeline.speaker!.dimension);
    expect(result.denoised).toBe(false);
  });

  it('finds three voices in a recording analysed part by part, each voice one label however often it returns', async () => {
    const engines = diarizationEngines(pipeline);
    const options = diarizationOptions(engines.modelId);
    const speakers = devSpeakers().slice(0, 3);
    // six rounds of A, B, C: eighteen turns of 7 s, each from another utterance, 0.5 s apart or, every second turn,
    // starting 0.3 s before the previous one ends
    const turns: Float32Array[] = [];
    for (let round = 0; round < 6; round++) {
      for (const s of speakers) turns.push(await clip(s.files[round + 4]!, 7));
    }
    const pause = 16000 * 0.5;
    const overlap = 16000 * 0.3;
    const recording = new Float32Array(turns.reduce((n, t) => n + t.length + pause, 0));
    let at = 0;
    turns.forEach((t, i) => {
      if (i % 2 === 1) at -= pause + overlap;
      for (let k = 0; k < t.length; k++) recording[at + k]! += t[k]!;
      at += t.length + pause;
    });
    // as the recording processor does it: 30 s parts analysed one by one, then every window clustered at once
    const analyses = [];
    for (let start = 0; start < at; start += 16000 * 30) {
      const part = recording.subarray(start, Math.min(at, start + 16000 * 30));
      analyses.push(await analyseSpeech(engines, part, options, false, start / 16000));
    }
    const result = clusterVoices(analyses, options);
    expect(result.speakers.map((s) => s.label)).toEqual(['S1', 'S2', 'S3']);
    const changes = result.turns.filter((t, i) => i === 0 || result.turns[i - 1]!.speaker !== t.speaker);
    expect(changes.map((t) => t.speaker)).toEqual(Array.from({ length: 6 }, () => ['S1', 'S2', 'S3']).flat());
  });

  it('hears one voice as one speaker, also in babble, and silence as nobody', async () => {
    const engines = diarizationEngines(pipeline);
    const options = diarizationOptions(engines.modelId);
    const [a] = devSpeakers();
    const alone = await clip(a!.files[2]!, 10);
    expect((await diarize(engines, alone, options)).speakers).toHaveLength(1);
    const others = await Promise.all(
      devSpeakers()
        .slice(2)
        .map((s) => clip(s.files[3]!, 8)),
    );
    const noisy = mixAtSnr(alone, babble(others, alone.length), 10);
    const heard = await diarize(engines, noisy, options);
    expect(heard.denoised).toBe(true);
    expect(heard.speakers).toHaveLength(1);
    expect((await diarize(engines, new Float32Array(16000 * 3), options)).turns).toEqual([]);
  });
});
