import { seededRandom } from '@mira/core/util';

/**
 * Blind SNR from the waveform amplitude distribution (WADA-SNR; C. Kim and R. M. Stern, "Robust signal-to-noise ratio
 * estimation based on waveform amplitude distribution analysis", Interspeech 2008).
 *
 * Why: the quality stage's SNR takes its noise floor from the frames the VAD calls silence. Babble (other people
 * talking) is speech to the VAD, so a clip drowned in babble has no silent frames and its quietest frames are
 * babble too: of the dev split's tests with babble at 5 dB, 33 of 48 measured ≥ 12 dB there (eval:speakers:calibrate),
 * and the speaker policy judged them as clean speech. The amplitude distribution does not need silence: clean speech has a
 * sharply peaked, heavy-tailed distribution (modelled as a gamma of shape 0.4), additive noise, babble included,
 * pulls it towards a Gaussian. The statistic G = ln(mean |x|) − mean(ln |x|) falls monotonically from ≈ 1.64 (speech
 * alone) to ≈ 0.41 (Gaussian noise alone), and the SNR is read off the curve G(SNR) of that model.
 *
 * The estimate is a model's answer, not a measurement of the room: reverberation and clipping also change the
 * distribution, and speech with long digital silences reads as very clean.
 */
export function blindSnrDb(samples: Float32Array): number | null {
  if (samples.length < MIN_SAMPLES) return null;
  let sumAbs = 0;
  let sumLog = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.max(Math.abs(samples[i]!), AMPLITUDE_FLOOR);
    sumAbs += a;
    sumLog += Math.log(a);
    if (a > peak) peak = a;
  }
  if (peak <= AMPLITUDE_FLOOR) return null; // digital silence: no signal to judge
  return snrOfStatistic(Math.log(sumAbs / samples.length) - sumLog / samples.length);
}

/**
 * The SNR that decides whether speech is judged as heard in noise (the speaker policy's `noisySnrDb` line): the
 * lower of the quality stage's VAD-floor SNR and the blind SNR of the same audio as the microphone heard it. Each
 * misses noise the other sees: the VAD floor misses babble (no silent frames), the blind estimate reads long digital
 * silences as very clean. Chosen on the dev split (`npm run eval:speakers:calibrate`, "decisions with the SNR
 * measured"): with babble at 5 dB, 15 of 48 tests named right instead of 9, no wrong name, and no condition worse
 * than with the VAD floor alone.
 */
export function noiseJudgementSnrDb(vadFloorSnrDb: number, heard: Float32Array): number {
  const blind = blindSnrDb(heard);
  return blind === null ? vadFloorSnrDb : Math.min(vadFloorSnrDb, blind);
}

/** The SNR (dB) whose model statistic is `g`, interpolated in WADA_CURVE and clamped to its ends. */
export function snrOfStatistic(g: number): number {
  if (g <= WADA_CURVE[0]!) return WADA_MIN_DB;
  for (let k = 1; k < WADA_CURVE.length; k++) {
    const hi = WADA_CURVE[k]!;
    if (g <= hi) {
      const lo = WADA_CURVE[k - 1]!;
      return WADA_MIN_DB + k - 1 + (g - lo) / (hi - lo);
    }
  }
  return WADA_MIN_DB + WADA_CURVE.length - 1;
}

/** 0.25 s at 16 kHz: below that the statistic is too noisy to use. */
const MIN_SAMPLES = 4000;
/** Exact zeros (16-bit quantisation of quiet passages) count as a third of a 16-bit step, not as −∞. */
const AMPLITUDE_FLOOR = 1e-5;
export const WADA_MIN_DB = -10;

/**
 * G(SNR) for SNR = −10, −9, …, 60 dB: `wadaCurve()` with its defaults (2,000,000 samples, seed 2008), rounded to
 * 4 decimals. A unit test checks it against a smaller simulation with another seed (within 0.01).
 */
export const WADA_CURVE: readonly number[] = [
  0.4121, 0.4132, 0.4149, 0.417, 0.4204, 0.4243, 0.429, 0.435, 0.4422, 0.451, 0.4619, 0.4743, 0.4887, 0.5047,
  0.5231, 0.5433, 0.5651, 0.5884, 0.6136, 0.6397, 0.6669, 0.6947, 0.7236, 0.7531, 0.7829, 0.8123, 0.8421,
  0.8714, 0.9004, 0.9284, 0.9559, 0.9831, 1.0096, 1.0355, 1.0603, 1.0846, 1.108, 1.1308, 1.1527, 1.1738,
  1.1941, 1.2136, 1.2322, 1.2504, 1.2677, 1.2843, 1.3, 1.3153, 1.33, 1.344, 1.3574, 1.3703, 1.3825, 1.3943,
  1.4055, 1.4161, 1.4265, 1.4363, 1.4455, 1.4543, 1.463, 1.4711, 1.4788, 1.4863, 1.4935, 1.5005, 1.507,
  1.5132, 1.5192, 1.5248, 1.5303,
];

/**
 * The model curve: G of gamma(shape 0.4)-amplitude "speech" with random sign plus unit Gaussian noise, at each SNR from
 * WADA_MIN_DB to 60 dB, by simulation (Marsaglia–Tsang gamma sampling, seeded: deterministic).
 */
export function wadaCurve(samples = 2_000_000, seed = 2008): number[] {
  const rand = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-300))) * Math.cos(2 * Math.PI * rand());
  const gamma = (shape: number) => {
    // shape < 1: a gamma(shape + 1) draw times U^(1/shape)
    const d = shape + 1 - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = gaussian();
      const v = (1 + c * z) ** 3;
      if (v <= 0) continue;
      if (Math.log(rand()) < 0.5 * z * z + d - d * v + d * Math.log(v))
        return d * v * Math.max(rand(), 1e-300) ** (1 / shape);
    }
  };
  const speech = new Float64Array(samples);
  const noise = new Float64Array(samples);
  let speechPower = 0;
  for (let i = 0; i < samples; i++) {
    speech[i] = gamma(0.4) * (rand() < 0.5 ? -1 : 1);
    noise[i] = gaussian();
    speechPower += speech[i]! * speech[i]!;
  }
  speechPower /= samples;
  const curve: number[] = [];
  for (let db = WADA_MIN_DB; db <= 60; db++) {
    const gain = Math.sqrt(10 ** (db / 10) / speechPower);
    let sumAbs = 0;
    let sumLog = 0;
    for (let i = 0; i < samples; i++) {
      const a = Math.max(Math.abs(gain * speech[i]! + noise[i]!), 1e-300);
      sumAbs += a;
      sumLog += Math.log(a);
    }
    curve.push(Math.log(sumAbs / samples) - sumLog / samples);
  }
  return curve;
}
