/**
 * Fits the score calibration of libs/recognition speaker-calibration.ts: a logistic regression of "same speaker"
 * on [1, score, score·ℓ, ℓ] (ℓ = the duration covariate), targets and non-targets weighted to equal mass, so that the
 * fitted logit is a log-likelihood ratio. Newton's method with a little ridge (4 parameters, tens of thousands of
 * trials).
 */
import { type LlrCoefficients, type ScoreCalibration, durationCovariate, scoreLlr } from '@mira/recognition';

export interface CalibrationTrial {
  score: number;
  seconds: number;
  target: boolean;
}

export function fitLlr(
  trials: CalibrationTrial[],
  range: Pick<ScoreCalibration, 'minSeconds' | 'maxSeconds'>,
): LlrCoefficients {
  const targets = trials.filter((t) => t.target).length;
  const nonTargets = trials.length - targets;
  if (targets === 0 || nonTargets === 0) throw new Error('a calibration needs target and non-target trials');
  const rows = trials.map((t) => {
    const l = durationCovariate(range, t.seconds);
    return {
      x: [1, t.score, t.score * l, l],
      y: t.target ? 1 : 0,
      w: t.target ? 0.5 / targets : 0.5 / nonTargets,
    };
  });
  let beta = [0, 1, 0, 0];
  const ridge = 1e-6;
  for (let iteration = 0; iteration < 50; iteration++) {
    const gradient = [0, 0, 0, 0];
    const hessian = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    for (const { x, y, w } of rows) {
      const z = x.reduce((s, v, i) => s + v * beta[i]!, 0);
      const p = 1 / (1 + Math.exp(-z));
      for (let i = 0; i < 4; i++) {
        gradient[i]! += w * (p - y) * x[i]!;
        for (let j = 0; j < 4; j++) hessian[i]![j]! += w * p * (1 - p) * x[i]! * x[j]!;
      }
    }
    for (let i = 0; i < 4; i++) {
      gradient[i]! += ridge * beta[i]!;
      hessian[i]![i]! += ridge;
    }
    const step = solve(hessian, gradient);
    beta = beta.map((b, i) => b - step[i]!);
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  const [a, b, c, d] = beta as [number, number, number, number];
  return { a, b, c, d };
}

/** Cross-entropy of a calibration on trials (bits, equal target and non-target mass): lower is better calibrated. */
export function calibrationLoss(
  calibration: ScoreCalibration,
  trials: CalibrationTrial[],
  noisy: boolean,
): number {
  const targets = trials.filter((t) => t.target);
  const nonTargets = trials.filter((t) => !t.target);
  const loss = (set: CalibrationTrial[], sign: number) =>
    set.reduce(
      (s, t) => s + Math.log2(1 + Math.exp(-sign * scoreLlr(calibration, t.score, t.seconds, noisy))),
      0,
    ) / Math.max(1, set.length);
  return 0.5 * (loss(targets, 1) + loss(nonTargets, -1));
}

/** Gaussian elimination with partial pivoting for a small dense system. */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const m = matrix.map((row, i) => [...row, vector[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}
