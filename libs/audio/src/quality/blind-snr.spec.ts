import type { AudioPipeline } from '../audio-pipeline.js';
import { readBytes, testPipeline } from '../../../../test/support/audio.js';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { babble, mixAtSnr, whiteNoise } from '../dsp/signal.js';
import { blindSnrDb, noiseJudgementSnrDb, snrOfStatistic, WADA_CURVE, wadaCurve } from './blind-snr.js';

/** The speaker policy's built-in noisy line (SpeakerPolicy.noisySnrDb). */
const NOISY_LINE_DB = 12;

describe('blind SNR (amplitude distribution): telling speech among other talkers from clean speech (speaker policy in noise)', () => {
  let pipeline: AudioPipeline;
  /** One utterance of each real dev speaker (LibriSpeech test-other-dev). */
  let utterances: Float32Array[];
  beforeAll(async () => {
    pipeline = await testPipeline();
    utterances = await Promise.all(
      librispeechDevSpeakers().map(
        async ({ files }) => (await pipeline.decode(readBytes(files[1]!))).samples,
      ),
    );
  });
  afterAll(() => pipeline.close());

  it('the shipped curve is the model it claims to be (recomputed by simulation), and rises with the SNR', () => {
    // a smaller simulation with another seed: the same curve within its sampling error
    const recomputed = wadaCurve(100_000, 7);
    expect(recomputed).toHaveLength(WADA_CURVE.length);
    recomputed.forEach((g, k) => expect(Math.abs(g - WADA_CURVE[k]!)).toBeLessThan(0.01));
    for (let k = 1; k < WADA_CURVE.length; k++) expect(WADA_CURVE[k]!).toBeGreaterThan(WADA_CURVE[k - 1]!);
    expect(snrOfStatistic(0)).toBe(-10);
    expect(snrOfStatistic(5)).toBe(60);
    expect(snrOfStatistic((WADA_CURVE[20]! + WADA_CURVE[21]!) / 2)).toBeCloseTo(10.5, 5);
  });

  it('reads real speech in white noise near the SNR it was mixed at, ordered by level', () => {
    for (const [k, speech] of utterances.entries()) {
      const [at0, at10, at20] = [0, 10, 20].map((db) =>
        blindSnrDb(mixAtSnr(speech, whiteNoise(speech.length, k), db))!,
      );
      expect(at0).toBeLessThan(at10!);
      expect(at10).toBeLessThan(at20!);
      // real speech is not exactly the model's gamma: about ±4 dB here
      expect(Math.abs(at0!)).toBeLessThan(4);
      expect(Math.abs(at10! - 10)).toBeLessThan(4.5);
    }
  });

  it('judges speech among other talkers as noisy where the VAD-floor SNR calls it clean, and clean speech as clean', async () => {
    let rescued = 0;
    for (const [k, speech] of utterances.entries()) {
      // the speaker with the other four talking at once, 5 dB below
      const talkers = babble(
        utterances.filter((_, j) => j !== k),
        speech.length,
      );
      const heard = mixAtSnr(speech, talkers, 5);
      const vadFloor = (await pipeline.assessQuality(heard)).snr_db;
      const judged = noiseJudgementSnrDb(vadFloor, heard);
      if (vadFloor >= NOISY_LINE_DB && judged < NOISY_LINE_DB) rescued++;
      expect(judged).toBeLessThanOrEqual(vadFloor);
      // the same utterance alone reads clean to the blind estimate, and clearly cleaner than among talkers
      const alone = blindSnrDb(speech)!;
      expect(alone).toBeGreaterThanOrEqual(NOISY_LINE_DB);
      expect(alone).toBeGreaterThan(blindSnrDb(heard)! + 2);
    }
    // 4 of the 5 here: the VAD floor alone would have judged them clean speech
    expect(rescued).toBeGreaterThanOrEqual(3);
  });

  it('has no answer for too little audio or digital silence, so the VAD-floor SNR decides', () => {
    expect(blindSnrDb(new Float32Array(1000))).toBeNull();
    expect(blindSnrDb(new Float32Array(16000))).toBeNull();
    expect(noiseJudgementSnrDb(30, new Float32Array(16000))).toBe(30);
    // and the lower estimate wins when both exist
    const noise = whiteNoise(16000, 3);
    expect(noiseJudgementSnrDb(30, noise)).toBe(blindSnrDb(noise));
    expect(noiseJudgementSnrDb(-10, noise)).toBe(-10);
  });
});
