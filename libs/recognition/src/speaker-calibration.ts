/**
 * From scores to evidence: a calibrated log-likelihood ratio per person, and the probability of each answer.
 *
 * A score (as-norm) means different things for 1.5 s of speech in babble and for 5 s in a quiet room: short and noisy
 * speech pulls the right person's scores down and spreads everyone's. So each score is turned into a log-likelihood
 * ratio, llr = log p(score | this person spoke) / p(score | someone else spoke), by a logistic calibration fitted on
 * the model's dev split per kind of speech (clean or noisy, as the SNR rule judges it) with the speech duration as a
 * covariate (`npm run eval:speakers:calibrate`). LLRs of different models are on one footing, so persons whose
 * voiceprints belong to an older model can be weighed against persons of the current one.
 *
 * The decision is Bayesian over the hypotheses "person k spoke" and "somebody not enrolled spoke":
 *   P(k | evidence) = π_k e^{llr_k} / (π_unknown + Σ_j π_j e^{llr_j}).
 * The prior of "not enrolled" is fixed; the rest is shared by the persons, so a network with more persons needs
 * stronger evidence for each (wrong names grow with the number of enrolled persons otherwise). Context (the same
 * device's preceding turn) changes the priors, never the evidence.
 */

/** llr = a + b·score + c·score·ℓ + d·ℓ, with ℓ = ln(seconds / 2), seconds clamped to [minSeconds, maxSeconds]. */
export interface LlrCoefficients {
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface ScoreCalibration {
  /** Scale of the scores the coefficients apply to (e.g. `as-norm`). */
  scale: string;
  clean: LlrCoefficients;
  noisy: LlrCoefficients;
  minSeconds: number;
  maxSeconds: number;
}

/** The log-likelihood ratio of a score for speech of this duration and kind. */
export function scoreLlr(
  calibration: ScoreCalibration,
  score: number,
  speechSeconds: number,
  noisy: boolean,
): number {
  const k = noisy ? calibration.noisy : calibration.clean;
  const seconds = Math.min(calibration.maxSeconds, Math.max(calibration.minSeconds, speechSeconds));
  const l = Math.log(seconds / 2);
  return k.a + k.b * score + k.c * score * l + k.d * l;
}

/** The duration covariate the coefficients multiply (exported for the calibration fit). */
export function durationCovariate(
  calibration: Pick<ScoreCalibration, 'minSeconds' | 'maxSeconds'>,
  seconds: number,
) {
  return Math.log(Math.min(calibration.maxSeconds, Math.max(calibration.minSeconds, seconds)) / 2);
}

export interface Posteriors {
  /** P(person k | evidence), aligned with the llrs given. */
  persons: number[];
  /** P(nobody enrolled | evidence). */
  unknown: number;
}

/**
 * Posterior probabilities of each person and of "not enrolled". Prior without context: `unknownPrior` for "not
 * enrolled", the rest shared equally by the persons. `favoured` (context: the segment continues this person's turn):
 * a mixture, with probability `prior` the favoured person and otherwise the prior without context.
 */
export function posteriors(
  llrs: number[],
  unknownPrior: number,
  favoured?: { index: number; prior: number },
): Posteriors {
  const n = llrs.length;
  if (n === 0) return { persons: [], unknown: 1 };
  const c = favoured ? Math.min(Math.max(favoured.prior, 0), 1) : 0;
  const base = (1 - unknownPrior) / n;
  const priors = llrs.map((_, k) => (1 - c) * base + (favoured && k === favoured.index ? c : 0));
  // in the log domain: llrs of clear matches reach 30 and more
  const logs = llrs.map((l, k) => Math.log(Math.max(priors[k]!, 1e-300)) + l);
  const logUnknown = Math.log(Math.max((1 - c) * unknownPrior, 1e-300));
  const top = Math.max(logUnknown, ...logs);
  const total = Math.exp(logUnknown - top) + logs.reduce((sum, v) => sum + Math.exp(v - top), 0);
  return {
    persons: logs.map((v) => Math.exp(v - top) / total),
    unknown: Math.exp(logUnknown - top) / total,
  };
}
