import type { AudioPipeline } from '../audio-pipeline.js';
import { readBytes, testPipeline } from '../../../../test/support/audio.js';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { mixAtSnr, pinkNoise, whiteNoise } from '../dsp/signal.js';
import { levelScore } from './quality-score.js';

/** A dev utterance with 1 s of near-silence before and after, as a client VAD would cut it. */
async function paddedUtterance(pipeline: AudioPipeline): Promise<Float32Array> {
  const decoded = await pipeline.decode(readBytes(librispeechDevSpeakers()[1]!.files[0]!));
  const padded = new Float32Array(decoded.samples.length + 32000);
  padded.set(whiteNoise(padded.length, 11).map((v) => v * 0.0005));
  padded.set(decoded.samples, 16000);
  return padded;
}

describe('quality score: 0–100 from SNR over VAD silence, clarity, level, clipping, speech ratio', () => {
  let pipeline: AudioPipeline;
  let speech: Float32Array;
  beforeAll(async () => {
    pipeline = await testPipeline();
    speech = await paddedUtterance(pipeline);
  });
  afterAll(() => pipeline.close());

  it('scores digital silence 0 and pure noise near 0', async () => {
    const silence = await pipeline.assessQuality(new Float32Array(48000));
    expect(silence.score).toBe(0);
    expect(silence.speech_ratio).toBe(0);
    const noise = await pipeline.assessQuality(whiteNoise(48000, 5).map((v) => v * 0.1));
    expect(noise.score).toBeLessThan(10);
  });

  it('scores clean speech higher than the same speech with noise, and orders noise levels', async () => {
    const clean = await pipeline.assessQuality(speech);
    const at10 = await pipeline.assessQuality(mixAtSnr(speech, pinkNoise(speech.length, 3), 10));
    const at0 = await pipeline.assessQuality(mixAtSnr(speech, pinkNoise(speech.length, 3), 0));
    expect(clean.score).toBeGreaterThan(60);
    expect(clean.score).toBeGreaterThan(at10.score);
    expect(at10.score).toBeGreaterThan(at0.score);
    expect(clean.snr_db).toBeGreaterThan(at10.snr_db);
    expect(clean.speech_ratio).toBeGreaterThan(0.4);
    expect(clean.clipping_ratio).toBe(0);
  });

  it('penalises clipping', async () => {
    const clean = await pipeline.assessQuality(speech);
    const clipped = await pipeline.assessQuality(speech.map((v) => Math.max(-1, Math.min(1, v * 12))));
    expect(clipped.clipping_ratio).toBeGreaterThan(0.005);
    expect(clipped.score).toBeLessThan(clean.score - 15);
  });

  it('prefers a normal level to a whisper-quiet one', async () => {
    const clean = await pipeline.assessQuality(speech);
    const quiet = await pipeline.assessQuality(speech.map((v) => v * 0.01));
    expect(quiet.score).toBeLessThan(clean.score);
    expect(levelScore(-20)).toBe(100);
    expect(levelScore(-70)).toBe(0);
    expect(levelScore(-6)).toBe(50);
  });
});

describe('quality estimated from frame energies (what stream ingestion answers, no VAD model)', () => {
  let pipeline: AudioPipeline;
  let speech: Float32Array;
  beforeAll(async () => {
    pipeline = await testPipeline();
    speech = await paddedUtterance(pipeline);
  });
  afterAll(() => pipeline.close());

  it('calls silence and steady noise no speech, and scores them 0', () => {
    const silence = pipeline.estimateQuality(new Float32Array(48000));
    expect(silence).toMatchObject({ score: 0, speech_ratio: 0 });
    const noise = pipeline.estimateQuality(whiteNoise(48000, 5).map((v) => v * 0.1));
    expect(noise.speech_ratio).toBeLessThan(0.05);
    expect(noise.score).toBe(0);
  });

  it("finds speech where the VAD does, with the VAD's level measures and the same ordering by noise", async () => {
    const judged = await pipeline.assessQuality(speech);
    const estimate = pipeline.estimateQuality(speech);
    expect(Math.abs(estimate.speech_ratio - judged.speech_ratio)).toBeLessThan(0.2);
    expect(estimate.rms).toBe(judged.rms);
    expect(estimate.clipping_ratio).toBe(judged.clipping_ratio);
    expect(estimate.score).toBeGreaterThan(60);
    const at0 = pipeline.estimateQuality(mixAtSnr(speech, pinkNoise(speech.length, 3), 0));
    expect(at0.score).toBeLessThan(estimate.score);
    expect(at0.snr_db).toBeLessThan(estimate.snr_db);
  });
});
