import type { QualityReport } from '../audio.types.js';
import { ENERGY_FRAME_SAMPLES, energySpeechProbabilities } from '../vad/silero-vad.js';
import { hysteresisFlags } from '../vad/speech-segments.js';
import { assessQuality } from './quality-score.js';

/**
 * The same report as assessQuality with frame energies standing in for the VAD (energySpeechProbabilities through
 * the VAD's hysteresis): a few milliseconds, synchronous, no model. speech_ratio, snr_db, clarity and score are
 * estimates (energy tells speech from silence, not from steady noise or babble); rms and clipping_ratio are exact.
 */
export function estimateEnergyQuality(
  samples: Float32Array,
  vad: { threshold: number; negThreshold: number },
): QualityReport {
  return assessQuality(
    samples,
    hysteresisFlags(energySpeechProbabilities(samples), vad.threshold, vad.negThreshold),
    ENERGY_FRAME_SAMPLES,
  );
}
